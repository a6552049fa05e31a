package cel

import "github.com/tinykube/tinykube/core/api"

// Rules are the compiled x-kubernetes-validations of one schema. The zero
// value (and nil) has no rules. Rules are safe to share between requests.
type Rules struct {
	// root is the schema root's node, nil when no rule is anywhere.
	root *node
}

// Compile compiles every rule in s (the version's openAPIV3Schema). It
// returns errors, with the path of each rule in the definition under
// basePath ("spec.versions[0].schema.openAPIV3Schema"), for rules that do
// not compile or do not evaluate to a bool.
func Compile(s *api.JSONSchemaProps, basePath string) (*Rules, api.FieldErrors) {
	if s == nil {
		return &Rules{}, nil
	}
	st, err := newSchemaTypes()
	if err != nil {
		return &Rules{}, api.FieldErrors{api.FieldInvalid(basePath, "object", "cannot set up CEL types: "+err.Error())}
	}
	c := &compiler{types: st}
	root := c.node(s, basePath, rootTypeName, true, "")
	return &Rules{root: root}, c.errs
}

// Validate evaluates the rules against obj, the whole custom object as
// decoded JSON; old is the stored object on update, nil on create
// (transition rules, those using oldSelf, are then skipped). It returns
// one error per failed rule, at the rule's path (or its fieldPath).
func (r *Rules) Validate(obj, old map[string]any) api.FieldErrors {
	if r == nil || r.root == nil || obj == nil {
		return nil
	}
	v := &validator{budget: runtimeCostBudget}
	var oldv any
	if old != nil {
		oldv = old
	}
	v.walk(r.root, "", obj, oldv)
	return v.errs
}
