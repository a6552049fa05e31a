package cluster

import "github.com/tinykube/tinykube/core/apiserver"

// authorization returns the authorization settings that carry
// p.AuthorizationDecide into an API server: the built-in Node,RBAC chain
// with that Decide in place of rbac.Decide. It returns nil when p plugs
// in no Decide, which leaves a server as it was.
//
// The admin's server (Cluster.API) takes it, so that a lab's test users,
// calling it with a user, are decided by the plugged-in code; the
// simulated API servers take it too once the simulator runs them with
// authorization on (the servers' own Authorization then gets this Decide).
func (p Plugins) authorization() *apiserver.Authorization {
	if p.AuthorizationDecide == nil {
		return nil
	}
	return &apiserver.Authorization{Decide: p.AuthorizationDecide}
}
