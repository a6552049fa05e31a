package cel

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"

	"github.com/tinykube/tinykube/core/api"
)

// rootTypeName names the CEL struct type of the schema root; nested object
// types are named after their place under it ("Object.spec.template",
// "Object.spec.ports.@items"). The names show in type errors only.
const rootTypeName = "Object"

// node is one place in the schema that has rules at it or below it: the
// compiled rules of that place and the places under it.
type node struct {
	schema *api.JSONSchemaProps
	// resourceRoot: the value has apiVersion, kind and metadata (the
	// schema root or an embedded resource).
	resourceRoot bool
	rules        []*rule
	properties   map[string]*node // by property name
	items        *node
	additional   *node
}

// rule is one compiled x-kubernetes-validations entry.
type rule struct {
	src         api.ValidationRule
	program     cel.Program
	message     cel.Program // messageExpression, nil without one
	usesOldSelf bool
	optional    bool   // optionalOldSelf: runs on create, oldSelf an optional
	fieldPath   string // normalized fieldPath, "" when none
}

// compiler walks a schema compiling its rules; errs collects what did not
// compile.
type compiler struct {
	types *schemaTypes
	errs  api.FieldErrors
}

// node compiles the rules of s, at path in the definition and typeName
// among the CEL types, and the nodes under it. uncorrelatable is the path
// of the nearest list above whose items cannot be matched with their old
// selves ("" when none): rules there may not use oldSelf. It returns nil
// when there is no rule at s or below.
func (c *compiler) node(s *api.JSONSchemaProps, path, typeName string, resourceRoot bool, uncorrelatable string) *node {
	n := &node{schema: s, resourceRoot: resourceRoot}
	if len(s.XValidations) > 0 {
		t := c.types.typeOf(s, typeName, resourceRoot)
		if t == nil {
			t = types.DynType
		}
		envs := map[bool]*cel.Env{}
		for i, vr := range s.XValidations {
			rpath := path + ".x-kubernetes-validations[" + strconv.Itoa(i) + "]"
			optional := vr.OptionalOldSelf != nil && *vr.OptionalOldSelf
			env, ok := envs[optional]
			if !ok {
				var err error
				env, err = ruleEnv(c.types, t, optional)
				if err != nil {
					c.errs = append(c.errs, ruleInvalid(rpath+".rule", vr, "rule compiler initialization error: "+err.Error()))
					continue
				}
				envs[optional] = env
			}
			if r := c.rule(env, s, vr, rpath, uncorrelatable); r != nil {
				r.optional = optional
				n.rules = append(n.rules, r)
			}
		}
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := s.Properties[name]
		if child := c.node(&p, path+".properties["+name+"]", typeName+"."+name, p.XEmbeddedResource, uncorrelatable); child != nil {
			if n.properties == nil {
				n.properties = map[string]*node{}
			}
			n.properties[name] = child
		}
	}
	if s.Items != nil && s.Items.Schema != nil {
		unc := uncorrelatable
		if unc == "" && (s.XListType == nil || *s.XListType != "map") {
			unc = path
		}
		is := s.Items.Schema
		n.items = c.node(is, path+".items", typeName+".@items", is.XEmbeddedResource, unc)
	}
	if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
		n.additional = c.node(ap.Schema, path+".additionalProperties", typeName+".@values", ap.Schema.XEmbeddedResource, uncorrelatable)
	}
	if len(n.rules) == 0 && n.properties == nil && n.items == nil && n.additional == nil {
		return nil
	}
	return n
}

// supportedReasons are the reasons a rule may give its failure.
var supportedReasons = []string{"FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"}

// rule compiles one rule of s in env, reporting errors at rpath (the rule's
// entry in the definition). It returns nil when the rule cannot run.
func (c *compiler) rule(env *cel.Env, s *api.JSONSchemaProps, vr api.ValidationRule, rpath, uncorrelatable string) *rule {
	before := len(c.errs)
	if strings.TrimSpace(vr.Rule) == "" {
		c.errs = append(c.errs, api.FieldRequired(rpath+".rule", "rule is not specified"))
		return nil
	}
	if vr.Reason != nil && !contains(supportedReasons, *vr.Reason) {
		c.errs = append(c.errs, api.FieldNotSupported(rpath+".reason", *vr.Reason, supportedReasons))
	}
	r := &rule{src: vr}
	if vr.FieldPath != "" {
		fp, err := fieldPath(vr.FieldPath, s)
		if err != nil {
			c.errs = append(c.errs, api.FieldInvalid(rpath+".fieldPath", vr.FieldPath, "must be a valid path"))
		}
		r.fieldPath = fp
	}

	ast, iss := env.Compile(vr.Rule)
	if iss.Err() != nil {
		c.errs = append(c.errs, ruleInvalid(rpath+".rule", vr, "compilation failed: "+iss.String()))
		return nil
	}
	if !ast.OutputType().IsExactType(types.BoolType) {
		c.errs = append(c.errs, ruleInvalid(rpath+".rule", vr, "cel expression must evaluate to a bool"))
		return nil
	}
	for _, ref := range ast.NativeRep().ReferenceMap() {
		if ref.Name == oldSelfVar {
			r.usesOldSelf = true
			break
		}
	}
	switch {
	case r.usesOldSelf && uncorrelatable != "":
		c.errs = append(c.errs, api.FieldInvalid(rpath+".rule", vr.Rule,
			"oldSelf cannot be used on the uncorrelatable portion of the schema within "+uncorrelatable))
	case !r.usesOldSelf && vr.OptionalOldSelf != nil:
		c.errs = append(c.errs, api.FieldInvalid(rpath+".optionalOldSelf", *vr.OptionalOldSelf,
			"may not be set if oldSelf is not used in rule"))
	}
	prog, err := env.Program(ast, programOptions()...)
	if err != nil {
		c.errs = append(c.errs, ruleInvalid(rpath+".rule", vr, "program instantiation failed: "+err.Error()))
		return nil
	}
	r.program = prog

	if strings.TrimSpace(vr.MessageExpression) != "" {
		mpath := rpath + ".messageExpression"
		ast, iss := env.Compile(vr.MessageExpression)
		switch {
		case iss.Err() != nil:
			c.errs = append(c.errs, ruleInvalid(mpath, vr, "messageExpression compilation failed: "+iss.String()))
		case !ast.OutputType().IsExactType(types.StringType):
			c.errs = append(c.errs, ruleInvalid(mpath, vr, "messageExpression must evaluate to a string"))
		default:
			mp, err := env.Program(ast, programOptions()...)
			if err != nil {
				c.errs = append(c.errs, ruleInvalid(mpath, vr, "messageExpression instantiation failed: "+err.Error()))
			}
			r.message = mp
		}
	}
	if len(c.errs) > before {
		return nil
	}
	return r
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ruleInvalid reports a rule that does not compile. Kubernetes shows the
// whole rule as the bad value, printed as JSON of its Go field names
// ({"Rule":"self.x > 0","Message":"",...}); so does this.
func ruleInvalid(field string, vr api.ValidationRule, detail string) *api.FieldError {
	b, err := json.Marshal(struct {
		Rule              string
		Message           string
		MessageExpression string
		Reason            *string
		FieldPath         string
		OptionalOldSelf   *bool
	}{vr.Rule, vr.Message, vr.MessageExpression, vr.Reason, vr.FieldPath, vr.OptionalOldSelf})
	if err != nil {
		return api.FieldInvalid(field, vr.Rule, detail)
	}
	return &api.FieldError{Type: api.ErrorTypeInvalid, Field: field, BadValue: string(b), Detail: detail}
}
