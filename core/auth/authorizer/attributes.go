package authorizer

import (
	"net/http"
	"strings"

	"github.com/tinykube/tinykube/core/rest"
)

// Attributes are what an authorizer decides on: a user, and either a
// request on a resource (verb, API group, resource, subresource,
// namespace, name) or on a non-resource path (verb and path).
type Attributes struct {
	User *rest.UserInfo
	// Verb is get, list, watch, create, update, patch, delete or
	// deletecollection for a resource; the lower-case HTTP method (get,
	// post, put, patch, delete) for a non-resource path.
	Verb string
	// ResourceRequest says which of the two kinds of request this is.
	ResourceRequest bool

	APIGroup    string // "" for the core group
	APIVersion  string
	Resource    string // "pods"
	Subresource string // "status", "log" …
	Namespace   string // "" for cluster-scoped kinds and lists over all namespaces
	Name        string // "" for a collection

	Path string // for a non-resource request: "/healthz"
}

// ResourceString returns "pods", or "pods/log" with a subresource, as RBAC
// rules name it.
func (a Attributes) ResourceString() string {
	if a.Subresource == "" {
		return a.Resource
	}
	return a.Resource + "/" + a.Subresource
}

// AttributesFor returns the attributes of an API request, classified as
// Kubernetes' RequestInfo does:
//
//	GET    /api/v1/namespaces/ns/pods          list pods in ns
//	GET    /api/v1/pods?watch=true             watch pods (every namespace)
//	GET    /api/v1/namespaces/ns/pods/web/log  get pods/log "web" in ns
//	POST   /apis/apps/v1/namespaces/ns/deployments   create
//	PUT, PATCH, DELETE on a name               update, patch, delete
//	DELETE on a collection                     deletecollection
//	GET    /api/v1/namespaces/ns               get namespaces "ns" (in ns)
//	anything outside /api and /apis/GROUP/VERSION: a non-resource request
//
// A list or watch whose field selector pins metadata.name
// (?fieldSelector=metadata.name=web, how a kubelet watches one Secret)
// names that object, as Kubernetes does: RBAC rules with resourceNames and
// the node authorizer then judge it as a read of that one object.
//
// Paths under /api or /apis that name no resource (discovery: /api,
// /apis, /apis/apps, /apis/apps/v1) are non-resource requests too.
func AttributesFor(req *rest.Request) Attributes {
	a := Attributes{User: req.User}
	parts := strings.Split(strings.Trim(req.Path, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		a.APIVersion, rest = parts[1], parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		a.APIGroup, a.APIVersion, rest = parts[1], parts[2], parts[3:]
	default:
		return nonResource(req)
	}
	// The old /watch/ prefix: /api/v1/watch/pods.
	watchPrefix := false
	if rest[0] == "watch" && len(rest) > 1 {
		watchPrefix, rest = true, rest[1:]
	}
	if rest[0] == "namespaces" && len(rest) >= 2 {
		a.Namespace = rest[1]
		if len(rest) == 2 || rest[2] == "status" || rest[2] == "finalize" {
			// The namespace object itself, or its subresource.
			a.Resource, a.Name = "namespaces", rest[1]
			if len(rest) > 2 {
				a.Subresource = rest[2]
			}
			rest = nil
		} else {
			rest = rest[2:]
		}
	}
	if rest != nil {
		a.Resource = rest[0]
		if len(rest) > 1 {
			a.Name = rest[1]
		}
		if len(rest) > 2 {
			a.Subresource = strings.Join(rest[2:], "/")
		}
	}
	a.ResourceRequest = true
	a.Verb = resourceVerb(req, a.Name != "", watchPrefix)
	if a.Name == "" && (a.Verb == "list" || a.Verb == "watch") {
		a.Name = nameFromFieldSelector(req.Query.Get("fieldSelector"))
	}
	return a
}

// nameFromFieldSelector returns X when the selector requires
// metadata.name=X (or ==X) among its terms, and "" otherwise (no such
// term, a != term, or two terms asking for different names).
func nameFromFieldSelector(sel string) string {
	name := ""
	for _, term := range strings.Split(sel, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(term), "=")
		if !ok || strings.HasSuffix(key, "!") {
			continue
		}
		value = strings.TrimPrefix(value, "=")
		if strings.TrimSpace(key) != "metadata.name" {
			continue
		}
		if name != "" && name != value {
			return ""
		}
		name = value
	}
	return name
}

// resourceVerb maps an HTTP method on a resource to an RBAC verb.
func resourceVerb(req *rest.Request, named, watchPrefix bool) string {
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		w := strings.ToLower(req.Query.Get("watch"))
		switch {
		case watchPrefix || w == "true" || w == "1":
			return "watch"
		case named:
			return "get"
		default:
			return "list"
		}
	case http.MethodPost:
		return "create"
	case http.MethodPut:
		return "update"
	case http.MethodPatch:
		return "patch"
	case http.MethodDelete:
		if named {
			return "delete"
		}
		return "deletecollection"
	}
	return strings.ToLower(req.Method)
}

func nonResource(req *rest.Request) Attributes {
	verb := strings.ToLower(req.Method)
	if verb == "head" {
		verb = "get"
	}
	return Attributes{User: req.User, Verb: verb, Path: req.Path}
}
