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
	// warnings and auditAnnotations are what the plugins want said about
	// the write, to the client (Warning headers) and in its audit event
	// (rest.Response.AuditAnnotations). They are kept even when a plugin
	// refuses the write: an audit event records why.
	warnings         []string
	auditAnnotations map[string]string
}

// annotate records an audit annotation on the request.
func (r *admissionRequest) annotate(key, value string) {
	if r.auditAnnotations == nil {
		r.auditAnnotations = map[string]string{}
	}
	r.auditAnnotations[key] = value
}

// admissionNotes carries a request's admission warnings and audit
// annotations from admit, deep in a verb, to Handle, which puts them on the
// Response. A verb that admits more than once (an update retried after a
// conflict, a create drawing another generated name) keeps the last
// admission's: that is the write that happened or was refused.
type admissionNotes struct {
	warnings         []string
	auditAnnotations map[string]string
}

type admissionNotesKey struct{}

// withAdmissionNotes returns ctx carrying fresh notes for one request.
func withAdmissionNotes(ctx context.Context) (context.Context, *admissionNotes) {
	n := &admissionNotes{}
	return context.WithValue(ctx, admissionNotesKey{}, n), n
}

// addTo appends the notes to a response (after its own warnings) and
// merges the annotations in.
func (n *admissionNotes) addTo(resp *rest.Response) *rest.Response {
	resp.Warnings = append(resp.Warnings, n.warnings...)
	for k, v := range n.auditAnnotations {
		if resp.AuditAnnotations == nil {
			resp.AuditAnnotations = map[string]string{}
		}
		resp.AuditAnnotations[k] = v
	}
	return resp
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
	{name: "PodSecurity", admit: admitPodSecurity},
}

// admit runs the plugins on r; the first refusal is the answer.
func (s *Server) admit(ctx context.Context, r *admissionRequest) error {
	if r.user == nil {
		r.user = rest.UserFrom(ctx)
	}
	if n, ok := ctx.Value(admissionNotesKey{}).(*admissionNotes); ok {
		defer func() { n.warnings, n.auditAnnotations = r.warnings, r.auditAnnotations }()
	}
	for _, p := range admissionPlugins {
		if err := p.admit(s, ctx, r); err != nil {
			return err
		}
	}
	return nil
}
