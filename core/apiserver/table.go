package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/printers"
	"github.com/tinykube/tinykube/core/rest"
)

// Server-side printing. A client that sends
//
//	Accept: application/json;as=Table;v=v1;g=meta.k8s.io, application/json
//
// on a get, list or watch receives a meta.k8s.io Table (a watch: one Table
// per event) whose columns come from core/printers, the same columns
// tinykube's own get prints. kubectl asks for this on every get, so it is
// how `kubectl get pods -o wide` learns tinykube's columns. A custom
// resource's Table has the printer columns of the version it is read
// through: t.res is that version's Resource, whose New makes an
// *api.Unstructured and whose Custom.Version holds the columns.

// tableRequest is what a request asks for: a Table in groupVersion
// ("meta.k8s.io/v1"), carrying include in each row.
type tableRequest struct {
	groupVersion string
	include      string
}

// tableVersions are the meta.k8s.io versions a Table is served in.
var tableVersions = []string{"v1", "v1beta1"}

// negotiateTable reads the Accept header of a GET. It returns nil when the
// first media range the server can answer is not a Table (plain JSON, or an
// encoding the HTTP edge chooses), a tableRequest when it is, and a 406
// when every range asks for a conversion the server does not make (a Table
// of another version, say).
func negotiateTable(req *rest.Request) (*tableRequest, error) {
	ranges := parseAccept(req.Accept)
	for _, m := range ranges {
		if v, ok := m.asKind("Table", "meta.k8s.io", tableVersions...); ok {
			include := req.Query.Get("includeObject")
			switch include {
			case "":
				include = api.IncludeMetadata
			case api.IncludeNone, api.IncludeMetadata, api.IncludeObject:
			default:
				return nil, errBadRequest("unrecognized includeObject value: %q: use None, Metadata or Object", include)
			}
			return &tableRequest{groupVersion: "meta.k8s.io/" + v, include: include}, nil
		}
		if m.params["as"] == "" {
			return nil, nil
		}
	}
	if len(ranges) == 0 {
		return nil, nil
	}
	return nil, api.NewStatusError(http.StatusNotAcceptable, api.ReasonNotAcceptable, nil,
		"only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io (Accept was %q)", req.Accept)
}

// contentType is the media type of a Table answer.
func (tr *tableRequest) contentType() string {
	return fmt.Sprintf("application/json;as=Table;v=%s;g=meta.k8s.io", tr.groupVersion[len("meta.k8s.io/"):])
}

// asTable converts the answer of a get, list or watch of t into a Table:
// the object of a get becomes one row, the items of a list one row each
// (keeping the list's resourceVersion and continue token), and every event
// of a watch a Table of one row. Errors pass through unchanged.
func (s *Server) asTable(t target, tr *tableRequest, out response) response {
	if out.err != nil {
		return out
	}
	if out.stream != nil {
		out.stream = &tableStream{Stream: out.stream, s: s, res: t.res, tr: tr}
		return out
	}
	var objs []api.Object
	var meta api.ListMeta
	if t.name != "" {
		obj := t.res.New()
		if err := json.Unmarshal(out.body, obj); err != nil {
			return fail(errInternal(err), out.warnings...)
		}
		objs = []api.Object{obj}
	} else {
		var list api.RawList
		if err := json.Unmarshal(out.body, &list); err != nil {
			return fail(errInternal(err), out.warnings...)
		}
		meta = list.ListMeta
		for _, raw := range list.Items {
			obj := t.res.New()
			if err := json.Unmarshal(raw, obj); err != nil {
				return fail(errInternal(err), out.warnings...)
			}
			objs = append(objs, obj)
		}
	}
	table, err := printers.ServerTable(t.res, objs, tr.include, tr.groupVersion, s.clock.Now())
	if err != nil {
		return fail(errInternal(err), out.warnings...)
	}
	table.ListMeta = meta
	body, err := json.Marshal(table)
	if err != nil {
		return fail(errInternal(err), out.warnings...)
	}
	return ok(out.code, body, out.warnings)
}

// tableStream turns each object event of a watch into a Table of one row.
// ERROR and BOOKMARK events pass unchanged.
type tableStream struct {
	rest.Stream
	s   *Server
	res *api.Resource
	tr  *tableRequest
}

func (ts *tableStream) Next() (rest.WatchEvent, bool) {
	ev, ok := ts.Stream.Next()
	if !ok || ev.Type == rest.Error || ev.Type == rest.Bookmark {
		return ev, ok
	}
	obj := ts.res.New()
	err := json.Unmarshal(ev.Object, obj)
	var table api.Table
	if err == nil {
		table, err = printers.ServerTable(ts.res, []api.Object{obj}, ts.tr.include, ts.tr.groupVersion, ts.s.clock.Now())
	}
	var b []byte
	if err == nil {
		b, err = json.Marshal(table)
	}
	if err != nil {
		ts.Stream.Stop()
		return errorEvent(errInternal(err)), true
	}
	return rest.WatchEvent{Type: ev.Type, Object: b}, true
}

// OnReady forwards to the wrapped stream, for loops that follow streams by
// callback (see watchStream.OnReady).
func (ts *tableStream) OnReady(f func()) (cancel func()) {
	n, ok := ts.Stream.(interface{ OnReady(func()) func() })
	if !ok {
		panic(fmt.Sprintf("apiserver: the watch stream %T cannot notify by callback", ts.Stream))
	}
	return n.OnReady(f)
}
