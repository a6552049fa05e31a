package auth

import (
	"strings"

	"github.com/tinykube/tinykube/core/rest"
)

// Well-known users.
const (
	Anonymous             = "system:anonymous"
	KubeScheduler         = "system:kube-scheduler"
	KubeControllerManager = "system:kube-controller-manager"
	KubeProxy             = "system:kube-proxy"
	APIServer             = "system:apiserver"
	// Admin is the user of the kubeconfig a server writes; it is in
	// the group Masters.
	Admin = "kubernetes-admin"
)

// Well-known groups.
const (
	AllAuthenticated   = "system:authenticated"
	AllUnauthenticated = "system:unauthenticated"
	// Masters may do anything: RBAC is not asked.
	Masters               = "system:masters"
	Nodes                 = "system:nodes"
	ServiceAccounts       = "system:serviceaccounts"
	serviceAccountsPrefix = "system:serviceaccounts:"
	Bootstrappers         = "system:bootstrappers"
	// Monitoring may read the health and /metrics endpoints (the
	// system:monitoring ClusterRole), as a Prometheus server's user is.
	Monitoring = "system:monitoring"
)

const (
	nodePrefix           = "system:node:"
	serviceAccountPrefix = "system:serviceaccount:"
	bootstrapPrefix      = "system:bootstrap:"
)

// NodeUser returns the user a node's kubelet authenticates as.
func NodeUser(node string) *rest.UserInfo {
	return &rest.UserInfo{Name: nodePrefix + node, Groups: []string{Nodes, AllAuthenticated}}
}

// NodeName returns the node a user is the kubelet of, if it is one: its
// name is system:node:NAME and it is in the group system:nodes.
func NodeName(u *rest.UserInfo) (string, bool) {
	if u == nil || !strings.HasPrefix(u.Name, nodePrefix) || !u.InGroup(Nodes) {
		return "", false
	}
	name := strings.TrimPrefix(u.Name, nodePrefix)
	return name, name != ""
}

// ServiceAccountUserName returns "system:serviceaccount:NS:NAME".
func ServiceAccountUserName(namespace, name string) string {
	return serviceAccountPrefix + namespace + ":" + name
}

// ServiceAccountGroups returns the groups of a service account of
// namespace: every service account's, its namespace's, and every
// authenticated user's.
func ServiceAccountGroups(namespace string) []string {
	return []string{ServiceAccounts, serviceAccountsPrefix + namespace, AllAuthenticated}
}

// ServiceAccountOf splits a service account's user name into its
// namespace and name.
func ServiceAccountOf(user string) (namespace, name string, ok bool) {
	rest, found := strings.CutPrefix(user, serviceAccountPrefix)
	if !found {
		return "", "", false
	}
	namespace, name, ok = strings.Cut(rest, ":")
	return namespace, name, ok && namespace != "" && name != "" && !strings.Contains(name, ":")
}

// BootstrapUser returns the user a bootstrap (join) token with id
// authenticates as.
func BootstrapUser(id string) *rest.UserInfo {
	return &rest.UserInfo{Name: bootstrapPrefix + id, Groups: []string{Bootstrappers, AllAuthenticated}}
}

// ComponentUser returns a control-plane component's user (the scheduler,
// the controller manager), in the authenticated group.
func ComponentUser(name string) *rest.UserInfo {
	return &rest.UserInfo{Name: name, Groups: []string{AllAuthenticated}}
}

// AnonymousUser is who a request that proves nothing is.
func AnonymousUser() *rest.UserInfo {
	return &rest.UserInfo{Name: Anonymous, Groups: []string{AllUnauthenticated}}
}

// AdminUser is the user of the admin kubeconfig.
func AdminUser() *rest.UserInfo {
	return &rest.UserInfo{Name: Admin, Groups: []string{Masters, AllAuthenticated}}
}

// APIServerUser is the API server's own user on its loopback calls (its
// metrics pipeline following the Nodes), in system:masters as
// Kubernetes' loopback client is.
func APIServerUser() *rest.UserInfo {
	return &rest.UserInfo{Name: APIServer, Groups: []string{Masters, AllAuthenticated}}
}
