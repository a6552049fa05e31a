package cluster

import "github.com/tinykube/tinykube/core/apiserver"

// authorization returns the authorization settings of the API server
// called server (adminServer for Cluster.API): the built-in Node,RBAC
// chain, with the lab's p.AuthorizationDecide in place of rbac.Decide when
// the plugins carry one, and every decision judged by the authz check
// (authz.go).
func (c *Cluster) authorization(server string) *apiserver.Authorization {
	a := c.authz.authorization(server)
	a.Decide = c.plugins.AuthorizationDecide
	return a
}
