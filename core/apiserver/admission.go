package apiserver

import (
	"context"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Admission: after a request is authorized and its object decoded and
// defaulted, and before it is validated and stored, each admission plugin
// may change the object (a mutating plugin: the ServiceAccount plugin adds
// a pod's token volume) or refuse the write (a validating one:
// NodeRestriction keeps a node to its own objects). Kubernetes runs the
// same two phases; here they are one ordered list, mutating plugins first.
//
// Admission sees writes that requests ask for. The server's own
// bookkeeping (marking an object deleted, binding a pod, spending a
// disruption budget) is not admitted again: the request that caused it
// was.

// Admission operations.
const (
	opCreate = "CREATE"
	opUpdate = "UPDATE"
	opDelete = "DELETE"
)

// admissionRequest is one write as the plugins see it.
type admissionRequest struct {
	op          string
	res         *api.Resource
	subresource string // "status", "scale", "" …
	// namespace and name address the object when it is not old or obj
	// itself: a create on a subresource (a TokenRequest is written to
	// serviceaccounts/NAME/token). Empty otherwise.
	namespace, name string
	user            *rest.UserInfo // nil: an in-process caller
	// old is the stored object (nil on create); obj the object to be
	// written (nil on delete). A plugin may change obj.
	old, obj api.Object
	dryRun   bool
}

// admissionPlugin is one named plugin.
type admissionPlugin struct {
	name  string
	admit func(s *Server, ctx context.Context, r *admissionRequest) error
}

// admissionPlugins run in this order on every admitted write.
var admissionPlugins = []admissionPlugin{
	// Mutating: fill in what the server decides.
	{name: "ServiceAccount", admit: admitServiceAccount},
	csrRequesterPlugin,
	{name: "CustomResourceDefinitionNames", admit: admitCRDNames},
	// Validating: refuse what the requester may not write.
	{"RBACEscalation", (*Server).preventEscalation},
	{name: "NodeRestriction", admit: admitNodeRestriction},
}

// admit runs the plugins on r; the first refusal is the answer.
func (s *Server) admit(ctx context.Context, r *admissionRequest) error {
	if r.user == nil {
		r.user = rest.UserFrom(ctx)
	}
	for _, p := range admissionPlugins {
		if err := p.admit(s, ctx, r); err != nil {
			return err
		}
	}
	return nil
}
