package cluster

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"github.com/tinykube/tinykube/core/auth/node"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/sim/authzmodel"
)

// authzCheck holds the two invariants of authorization, judged on every
// decision an API server reports (apiserver.Authorization.Observe):
//
//   - authz-agrees-with-model: the decision is the one sim/authzmodel — an
//     independent model of RBAC — makes over the RBAC objects in the store;
//   - components-authorized: no request of the scheduler, the controller
//     manager, a kubelet or a proxy is refused: each one's role is enough
//     for everything it does.
//
// It follows the RBAC objects with watches on the store, so the model
// always reads the latest ones. A server decides on its own cache of them,
// which follows its watch cache: a decision by a server whose cache has
// not yet reached the last RBAC change is not compared (scenarios write
// the RBAC objects at bootstrap, so this only spares the moments after a
// scenario changes them).
type authzCheck struct {
	c *Cluster
	// enabled: the scenario's invariants (all when it names none).
	enabled map[string]bool

	watches  []store.Watcher
	policy   map[string]any // store key -> *api.Role, *api.ClusterRole, …
	model    *authzmodel.Model
	changed  int64 // revision of the last change to an RBAC object
	compared int
	skipped  int
}

// rbacPlurals are the kinds the model reads.
var rbacPlurals = []string{"roles", "clusterroles", "rolebindings", "clusterrolebindings"}

// newAuthzCheck returns the check of c's decisions, for the invariants
// named (all when none are). It judges nothing until it follows a store.
func newAuthzCheck(c *Cluster, invariants []string) *authzCheck {
	a := &authzCheck{c: c, policy: map[string]any{}, enabled: map[string]bool{}}
	for _, name := range []string{"authz-agrees-with-model", "components-authorized"} {
		a.enabled[name] = len(invariants) == 0 || slices.Contains(invariants, name)
	}
	return a
}

// start reads the RBAC objects in st and follows them from there.
func (a *authzCheck) start(st store.Store) error {
	ctx := context.Background()
	for _, plural := range rbacPlurals {
		prefix := "/registry/" + plural + "/"
		l, err := st.List(ctx, prefix, store.ListOptions{})
		if err != nil {
			return err
		}
		for _, kv := range l.KVs {
			a.put(plural, kv)
		}
		w, err := st.Watch(ctx, prefix, l.Revision+1)
		if err != nil {
			return err
		}
		a.watches = append(a.watches, w)
	}
	return nil
}

// put records one RBAC object as stored.
func (a *authzCheck) put(plural string, kv store.KeyValue) {
	o := api.ResourceByPlural(api.RBACGroup, plural).New()
	if err := json.Unmarshal(kv.Value, o); err != nil {
		panic(fmt.Sprintf("authz check: %s holds no %s: %v", kv.Key, plural, err)) // the API server wrote it
	}
	a.policy[kv.Key] = o
	a.model = nil
	a.changed = max(a.changed, kv.ModRevision)
}

// follow applies the RBAC changes the store made since the last call.
func (a *authzCheck) follow() {
	for i, w := range a.watches {
		for {
			ev, ok := w.Next()
			if !ok {
				break
			}
			if ev.Type == store.EventDelete {
				delete(a.policy, ev.KV.Key)
				a.model = nil
				a.changed = max(a.changed, ev.KV.ModRevision)
				continue
			}
			a.put(rbacPlurals[i], ev.KV)
		}
	}
}

// current returns the model of the RBAC objects in the store now.
func (a *authzCheck) current() *authzmodel.Model {
	a.follow()
	if a.model == nil {
		var p authzmodel.Policy
		for _, k := range sortedKeys(a.policy) {
			switch o := a.policy[k].(type) {
			case *api.Role:
				p.Roles = append(p.Roles, o)
			case *api.ClusterRole:
				p.ClusterRoles = append(p.ClusterRoles, o)
			case *api.RoleBinding:
				p.RoleBindings = append(p.RoleBindings, o)
			case *api.ClusterRoleBinding:
				p.ClusterRoleBindings = append(p.ClusterRoleBindings, o)
			}
		}
		a.model = authzmodel.Compile(p)
	}
	return a.model
}

// authorization returns the Authorization of the API server called server:
// its decisions are judged by observe.
func (a *authzCheck) authorization(server string) *apiserver.Authorization {
	return &apiserver.Authorization{Observe: func(at authorizer.Attributes, d authorizer.Decision, reason string) {
		if err := a.observe(server, at, d, reason); err != nil {
			a.c.W.Fail(err)
		}
	}}
}

// observe judges one decision of server; it returns the violation, if any.
func (a *authzCheck) observe(server string, at authorizer.Attributes, d authorizer.Decision, reason string) error {
	allowed := d == authorizer.Allow
	enabled := a.enabled
	if who, ok := component(at.User); ok && !allowed && enabled["components-authorized"] && !a.rightlyRefusedNode(at) {
		why := "its role is missing that permission"
		if _, node := auth.NodeName(at.User); node {
			why = "neither the node authorizer nor its roles allow it"
		}
		return fmt.Errorf("components-authorized: %s was denied %s: %s (%s, %s answered %s%s)",
			at.User.Name, describeRequest(at), why, who, server, d, reasonSuffix(reason))
	}
	if !enabled["authz-agrees-with-model"] || at.User == nil {
		return nil
	}
	var want bool
	var why string
	switch _, node := auth.NodeName(at.User); {
	case at.User.InGroup(auth.Masters):
		want, why = true, "system:masters may do anything"
	case node && !(allowed && strings.Contains(reason, "RBAC")):
		// The node authorizer decided (or RBAC refused after it had no
		// opinion): its own tests judge it.
		a.skipped++
		return nil
	default:
		if s := a.c.W.Net.Server(server); s != nil && s.CacheRevision() < a.changedNow() {
			a.skipped++ // the server's RBAC cache may not have the last change yet
			return nil
		}
		want, why = a.current().Allows(at)
	}
	a.compared++
	if allowed == want {
		return nil
	}
	modelSays := "allow it (" + why + ")"
	if !want {
		modelSays = "allow it not: no binding grants it to the user or its groups"
	}
	return fmt.Errorf("authz-agrees-with-model: %s answered %s%s to %s (groups %v), who asked %s, but the RBAC objects in the store %s",
		server, d, reasonSuffix(reason), at.User.Name, at.User.Groups, describeRequest(at), modelSays)
}

// changedNow returns the revision of the last RBAC change, up to date.
func (a *authzCheck) changedNow() int64 {
	a.follow()
	return a.changed
}

// describeRequest words a request for a violation: `"delete pods" on
// "web-1" in namespace "default"`, `"list nodes" at the cluster scope`,
// `"get /healthz"`.
func describeRequest(at authorizer.Attributes) string {
	if !at.ResourceRequest {
		return fmt.Sprintf("%q", at.Verb+" "+at.Path)
	}
	what := at.ResourceString()
	if at.APIGroup != "" {
		what = at.Resource + "." + at.APIGroup
		if at.Subresource != "" {
			what += "/" + at.Subresource
		}
	}
	s := fmt.Sprintf("%q", at.Verb+" "+what)
	if at.Name != "" {
		s += fmt.Sprintf(" on %q", at.Name)
	}
	if at.Namespace != "" {
		return s + fmt.Sprintf(" in namespace %q", at.Namespace)
	}
	return s + " at the cluster scope"
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// serviceAccountKeys returns the keys every API server of the run signs
// ServiceAccount tokens with, drawn from the run's seed (their own random
// stream), so a run replays bit for bit.
func serviceAccountKeys(r *rand.Rand) *serviceaccount.Keys {
	var seed [ed25519.SeedSize]byte
	for i := 0; i < len(seed); i += 8 {
		binary.LittleEndian.PutUint64(seed[i:], r.Uint64())
	}
	key := ed25519.NewKeyFromSeed(seed[:])
	return &serviceaccount.Keys{Issuer: serviceaccount.DefaultIssuer, Signing: key,
		Verifying: []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}, Audiences: []string{serviceaccount.DefaultIssuer}}
}

// modelledCAPEM returns the simulated cluster's CA certificate, modelled:
// PEM armour around bytes drawn from the run's seed, which nothing in the
// simulator parses (its identities are modelled too, see identity.go). The
// controller manager publishes it in every namespace (kube-root-ca.crt)
// as a real one publishes the CA's certificate.
func modelledCAPEM(r *rand.Rand) []byte {
	body := make([]byte, 0, 64)
	for len(body) < cap(body) {
		body = binary.LittleEndian.AppendUint64(body, r.Uint64())
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE",
		Headers: map[string]string{"Modelled": "tinykube simulator CA: not a real certificate"}, Bytes: body})
}

// rightlyRefusedNode reports whether at is a node's read of a Secret,
// ConfigMap or claim that no pod bound to the node names, judged from the
// store as it is now. A kubelet may still hold a pod the control plane
// has already deleted (its watch is behind, or the node was evicted
// during a partition) and ask again for that pod's objects; the node
// authorizer refusing it then is the point of the graph, not a missing
// permission — Kubernetes' kubelets meet the same refusals.
func (a *authzCheck) rightlyRefusedNode(at authorizer.Attributes) bool {
	nodeName, ok := auth.NodeName(at.User)
	if !ok || !at.ResourceRequest || at.APIGroup != "" || at.Namespace == "" || at.Name == "" {
		return false
	}
	switch at.Resource {
	case "secrets", "configmaps", "persistentvolumeclaims":
	default:
		return false
	}
	res := api.ResourceByPlural("", "pods")
	l, err := a.c.Store.List(context.Background(), "/registry/pods/"+at.Namespace+"/", store.ListOptions{})
	if err != nil {
		return false
	}
	for _, kv := range l.KVs {
		obj := res.New()
		if json.Unmarshal(kv.Value, obj) != nil {
			return false
		}
		pod := obj.(*api.Pod)
		if pod.Spec.NodeName != nodeName {
			continue
		}
		refs := node.References(pod)
		if refs.Secrets[at.Name] && at.Resource == "secrets" ||
			refs.ConfigMaps[at.Name] && at.Resource == "configmaps" ||
			refs.Claims[at.Name] && at.Resource == "persistentvolumeclaims" {
			return false
		}
	}
	return true
}
