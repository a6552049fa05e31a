package apiserver

import (
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// target is what a request path names: a collection, one object, or a
// subresource of one object, of one resource.
type target struct {
	res         *api.Resource
	namespace   string // "" for cluster-scoped kinds and cross-namespace lists
	name        string // "" for a collection
	subresource string // "status", "scale", "binding", "eviction", "log", "exec", "finalize", "token", "approval" or ""
}

// route parses an API path such as
//
//	/api/v1/namespaces/default/pods/web/status
//	/apis/apps/v1/namespaces/default/deployments
//	/api/v1/pods                      (every namespace)
//	/api/v1/nodes/n1
//
// It returns a NotFound Status for a path that names no served resource.
func route(rs *api.ResourceSet, path string) (target, error) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var group, version string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		version, parts = parts[1], parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		group, version, parts = parts[1], parts[2], parts[3:]
	default:
		return target{}, errNotFoundPath(path)
	}
	var t target
	if len(parts) >= 3 && parts[0] == "namespaces" {
		// /namespaces/{ns}/{resource}... unless this is the namespace object
		// itself with a subresource (/namespaces/{ns}/status, .../finalize).
		if parts[2] == "status" || parts[2] == "finalize" {
			t.name, t.subresource = parts[1], parts[2]
			parts = []string{"namespaces"}
		} else {
			t.namespace, parts = parts[1], parts[2:]
		}
	}
	if len(parts) == 0 || len(parts) > 3 {
		return target{}, errNotFoundPath(path)
	}
	t.res = rs.ByGroupVersionPlural(group, version, parts[0])
	if t.res == nil {
		return target{}, errNotFoundPath(path)
	}
	if t.namespace != "" && !t.res.Namespaced {
		return target{}, errNotFoundPath(path)
	}
	if len(parts) >= 2 {
		t.name = parts[1]
	}
	if len(parts) == 3 {
		t.subresource = parts[2]
	}
	switch t.subresource {
	case "":
	case "binding", "log", "exec", "eviction":
		if t.res.Kind != "Pod" {
			return target{}, errNotFoundPath(path)
		}
	case "status":
		if !t.res.HasStatus {
			return target{}, errNotFoundPath(path)
		}
	case "scale":
		if !hasScale(t.res) {
			return target{}, errNotFoundPath(path)
		}
	case "finalize":
		if t.res.Kind != "Namespace" {
			return target{}, errNotFoundPath(path)
		}
	case "token":
		if t.res.Kind != "ServiceAccount" {
			return target{}, errNotFoundPath(path)
		}
	case "approval":
		if t.res.Kind != "CertificateSigningRequest" {
			return target{}, errNotFoundPath(path)
		}
	default:
		return target{}, errNotFoundPath(path)
	}
	return t, nil
}

// key returns the store key of one object.
func key(res *api.Resource, namespace, name string) string {
	if res.Namespaced {
		return res.StoragePrefix() + namespace + "/" + name
	}
	return res.StoragePrefix() + name
}

// prefix returns the store prefix of a collection: one namespace's objects,
// or all of them when namespace is "".
func prefix(res *api.Resource, namespace string) string {
	if res.Namespaced && namespace != "" {
		return res.StoragePrefix() + namespace + "/"
	}
	return res.StoragePrefix()
}
