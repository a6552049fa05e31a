package openapi

import (
	"reflect"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// PathItem is the operations on one URL path.
type PathItem struct {
	Get    *Operation `json:"get,omitempty"`
	Put    *Operation `json:"put,omitempty"`
	Post   *Operation `json:"post,omitempty"`
	Delete *Operation `json:"delete,omitempty"`
	Patch  *Operation `json:"patch,omitempty"`
}

// Operation is one verb on one path. kubectl reads
// x-kubernetes-group-version-kind and the query parameters of PATCH
// operations to learn that the server validates fields itself
// (fieldValidation), and then skips its own client-side validation.
type Operation struct {
	OperationID string              `json:"operationId"`
	Description string              `json:"description,omitempty"`
	Consumes    []string            `json:"consumes,omitempty"` // v2
	Produces    []string            `json:"produces,omitempty"` // v2
	Parameters  []Parameter         `json:"parameters,omitempty"`
	RequestBody *RequestBody        `json:"requestBody,omitempty"` // v3
	Responses   map[string]Response `json:"responses"`
	Action      string              `json:"x-kubernetes-action"`
	GVK         GVK                 `json:"x-kubernetes-group-version-kind"`
}

// Parameter is a path, query or (v2) body parameter.
type Parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Type        string  `json:"type,omitempty"`   // v2, except the body
	Schema      *Schema `json:"schema,omitempty"` // v3, and the v2 body
}

// RequestBody is a v3 operation's body.
type RequestBody struct {
	Content  map[string]MediaType `json:"content"`
	Required bool                 `json:"required"`
}

// MediaType is one content type of a v3 body or response.
type MediaType struct {
	Schema *Schema `json:"schema"`
}

// Response is one answer of an operation.
type Response struct {
	Description string               `json:"description"`
	Schema      *Schema              `json:"schema,omitempty"`  // v2
	Content     map[string]MediaType `json:"content,omitempty"` // v3
}

// queryParams are the query parameters of each kind of operation that
// tinykube honours.
var queryParams = map[string][]Parameter{
	"write": {
		{Name: "dryRun", In: "query", Description: "When present (All), the request is checked and answered but nothing is stored."},
		{Name: "fieldManager", In: "query", Description: "The name of the actor making the change."},
		{Name: "fieldValidation", In: "query", Description: "What to do with unknown or duplicate fields in the body: Ignore them, Warn (a Warning header each) or Strict (refuse the request with 400 Bad Request)."},
	},
	"list": {
		{Name: "labelSelector", In: "query", Description: "Only objects whose labels match this selector."},
		{Name: "fieldSelector", In: "query", Description: "Only objects whose fields match this selector."},
		{Name: "limit", In: "query", Type: "integer", Description: "The most objects to return; continue fetches the rest."},
		{Name: "continue", In: "query", Description: "The token of the previous page's metadata.continue."},
		{Name: "resourceVersion", In: "query", Description: "The version to list at."},
		{Name: "watch", In: "query", Type: "boolean", Description: "Stream changes after the list's version instead of listing."},
	},
	"delete": {
		{Name: "dryRun", In: "query", Description: "When present (All), the request is checked and answered but nothing is deleted."},
		{Name: "gracePeriodSeconds", In: "query", Type: "integer", Description: "Seconds the object's processes get to stop."},
		{Name: "propagationPolicy", In: "query", Description: "Orphan, Background or Foreground: what happens to the objects this one owns."},
	},
}

// opNames are the verbs of operation IDs, as Kubernetes forms them
// ("patchCoreV1NamespacedPod").
var opNames = map[string]string{
	"list": "list", "create": "create", "get": "read", "update": "replace", "patch": "patch", "delete": "delete",
}

var patchTypes = []string{"application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"}

var customPatchTypes = []string{"application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"}

// addPaths adds the REST paths of gv's kinds: the collection, the object
// and, for kinds with them, the status and scale subresources.
func addPaths(paths map[string]PathItem, b *builder, gv groupVersion, v3 bool) {
	for _, r := range gv.resources {
		base := "/" + gv.path()
		scope := ""
		if r.Namespaced {
			base += "/namespaces/{namespace}"
			scope = "Namespaced"
		}
		coll := base + "/" + r.Plural
		item := coll + "/{name}"
		kind, list := b.kindName(r), b.kindName(r)+"List"
		if r.Custom != nil {
			list = modelName(r.Group, r.Version, listKind(r))
		}
		o := opBuilder{b: b, r: r, v3: v3, kind: kind, id: groupID(r) + scope + r.Kind}
		paths[coll] = PathItem{Get: o.op("list", list, false), Post: o.op("create", kind, true)}
		paths[item] = PathItem{Get: o.op("get", kind, false), Put: o.op("update", kind, true), Patch: o.op("patch", kind, true), Delete: o.op("delete", "", false)}
		if r.HasStatus {
			s := o
			s.id += "Status"
			paths[item+"/status"] = PathItem{Get: s.op("get", kind, false), Put: s.op("update", kind, true), Patch: s.op("patch", kind, true)}
		}
		if hasScale(r) {
			s := o
			s.id += "Scale"
			s.kind = b.names[reflect.TypeFor[api.Scale]()]
			paths[item+"/scale"] = PathItem{Get: s.op("get", s.kind, false), Put: s.op("update", s.kind, true), Patch: s.op("patch", s.kind, true)}
		}
		if r.Namespaced {
			all := o
			all.id = groupID(r) + r.Kind + "ForAllNamespaces"
			paths["/"+gv.path()+"/"+r.Plural] = PathItem{Get: all.op("list", list, false)}
		}
	}
}

// hasScale reports whether r is a custom resource whose version has the
// scale subresource. (The built-in kinds' scale subresources are not in
// the documents yet.)
func hasScale(r *api.Resource) bool {
	return r.Custom != nil && r.Custom.Version.Subresources != nil && r.Custom.Version.Subresources.Scale != nil
}

// groupID is the group-version part of an operation ID: "CoreV1",
// "AppsV1", "CoordinationV1"; for a custom resource every part of the
// group counts, so that two groups never share IDs: "StableExampleComV1".
func groupID(r *api.Resource) string {
	g := r.Group
	if g == "" {
		g = "core"
	}
	if r.Custom == nil {
		g, _, _ = strings.Cut(g, ".")
	}
	var id strings.Builder
	for _, part := range strings.FieldsFunc(g, func(c rune) bool { return c == '.' || c == '-' }) {
		id.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return id.String() + strings.ToUpper(r.Version[:1]) + r.Version[1:]
}

type opBuilder struct {
	b    *builder
	r    *api.Resource
	v3   bool
	kind string // definition name of the kind
	id   string // operation ID without the verb
}

// op builds one operation; returns names the definition it answers with
// ("" for Status), body whether it takes the object as its body.
func (o opBuilder) op(action, returns string, body bool) *Operation {
	op := &Operation{
		OperationID: opNames[action] + o.id,
		Action:      map[string]string{"update": "put", "create": "post"}[action],
		GVK:         GVK{Group: o.r.Group, Version: o.r.Version, Kind: o.r.Kind},
		Responses:   map[string]Response{},
	}
	if op.Action == "" {
		op.Action = action
	}
	if o.r.Namespaced && !strings.HasSuffix(o.id, "ForAllNamespaces") {
		op.Parameters = append(op.Parameters, o.pathParam("namespace"))
	}
	if action != "list" && action != "create" {
		op.Parameters = append(op.Parameters, o.pathParam("name"))
	}
	switch action {
	case "create", "update", "patch":
		op.Parameters = append(op.Parameters, o.query(queryParams["write"])...)
	case "list":
		op.Parameters = append(op.Parameters, o.query(queryParams["list"])...)
	case "delete":
		op.Parameters = append(op.Parameters, o.query(queryParams["delete"])...)
	}
	consumes := []string{"application/json", "application/yaml"}
	if action == "patch" {
		consumes = patchTypes
		if o.r.Custom != nil {
			// A custom resource has no patch strategies: Kubernetes does
			// not list strategic merge patch for one, and kubectl apply,
			// finding it missing, sends a JSON merge patch.
			consumes = customPatchTypes
		}
	}
	if body {
		schema := &Schema{Ref: o.b.ref(o.kind)}
		if action == "patch" {
			schema = &Schema{Type: "object", Description: "A patch in the format the Content-Type names."}
		}
		if o.v3 {
			rb := &RequestBody{Content: map[string]MediaType{}, Required: true}
			for _, c := range consumes {
				rb.Content[c] = MediaType{Schema: schema}
			}
			op.RequestBody = rb
		} else {
			op.Consumes = consumes
			op.Parameters = append(op.Parameters, Parameter{Name: "body", In: "body", Required: true, Schema: schema})
		}
	}
	if returns == "" {
		returns = o.b.names[typeOfStatus]
	}
	resp := &Schema{Ref: o.b.ref(returns)}
	code := "200"
	if action == "create" {
		code = "201"
	}
	if o.v3 {
		op.Responses[code] = Response{Description: "OK", Content: map[string]MediaType{"application/json": {Schema: resp}}}
	} else {
		op.Produces = []string{"application/json"}
		op.Responses[code] = Response{Description: "OK", Schema: resp}
	}
	return op
}

func (o opBuilder) pathParam(name string) Parameter {
	p := Parameter{Name: name, In: "path", Required: true, Description: name + " of the object"}
	if o.v3 {
		p.Schema = &Schema{Type: "string"}
	} else {
		p.Type = "string"
	}
	return p
}

func (o opBuilder) query(ps []Parameter) []Parameter {
	out := make([]Parameter, len(ps))
	for i, p := range ps {
		if p.Type == "" {
			p.Type = "string"
		}
		if o.v3 {
			p.Schema, p.Type = &Schema{Type: p.Type}, ""
		}
		out[i] = p
	}
	return out
}
