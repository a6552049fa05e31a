package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// StaleReads makes the API server answer name's reads (GET of an object or
// a list; not watches) from its state at revision rev, as an API server
// whose cache stopped following the store would, while its writes still go
// through. Components that read-modify-write then meet conflicts, and an
// informer that relists sees objects that were deleted since — the "time
// travel" that Kubernetes' controllers must survive. rev 0 ends it.
func (n *Network) StaleReads(name string, rev int64) {
	if n.stale == nil {
		n.stale = map[string]int64{}
	}
	if rev == 0 {
		delete(n.stale, name)
		n.w.Trace.Note("network", "%s reads are fresh again", name)
		return
	}
	n.stale[name] = rev
	n.w.Trace.Note("network", "%s reads are served as of revision %d", name, rev)
}

// staleRequest rewrites a read of process from into a read at its frozen
// revision. It returns the request to send and, for the GET of one object
// (served as a one-item list), a function turning the list answer back into
// the object's answer.
func (n *Network) staleRequest(from string, req *rest.Request) (*rest.Request, func(*rest.Response) *rest.Response) {
	rev, ok := n.stale[from]
	if !ok || req.Method != http.MethodGet || req.Query.Get("watch") == "true" || req.Query.Get("watch") == "1" {
		return req, nil
	}
	q := url.Values{}
	for k, v := range req.Query {
		q[k] = v
	}
	q.Set("resourceVersion", strconv.FormatInt(rev, 10))
	q.Set("resourceVersionMatch", "Exact")
	q.Del("continue")
	cp := *req
	cp.Query = q
	collection, name, ok := splitObjectPath(req.Path)
	if !ok {
		return &cp, nil // a list
	}
	cp.Path = collection
	sel := "metadata.name=" + name
	if fs := req.Query.Get("fieldSelector"); fs != "" {
		sel += "," + fs
	}
	q.Set("fieldSelector", sel)
	return &cp, func(resp *rest.Response) *rest.Response {
		if resp.Code != http.StatusOK {
			return resp
		}
		var l api.RawList
		if err := json.Unmarshal(resp.Body, &l); err != nil || len(l.Items) == 0 {
			st := api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "%q not found (in a stale cache)", name).Status
			b, _ := json.Marshal(st)
			return &rest.Response{Code: http.StatusNotFound, ContentType: rest.ContentJSON, Body: b}
		}
		return &rest.Response{Code: http.StatusOK, ContentType: rest.ContentJSON, Body: l.Items[0]}
	}
}

// splitObjectPath splits the path of one object into its collection's path
// and its name; ok is false for collections and subresources.
func splitObjectPath(p string) (collection, name string, ok bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	var rest []string
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		rest = parts[3:]
	default:
		return "", "", false
	}
	// {res}/{name} or namespaces/{ns}/{res}/{name}
	if len(rest) == 2 || (len(rest) == 4 && rest[0] == "namespaces") {
		i := strings.LastIndex(p, "/")
		return p[:i], p[i+1:], true
	}
	return "", "", false
}
