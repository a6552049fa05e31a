package apiserver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// get answers GET of one object (or its status subresource, which reads
// the same object).
func (s *Server) get(ctx context.Context, t target) response {
	obj, _, err := s.read(ctx, t.res, t.namespace, t.name)
	if err != nil {
		return fail(err)
	}
	body, err := json.Marshal(obj)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusOK, body, nil)
}

// read fetches and decodes one object, with its store entry.
func (s *Server) read(ctx context.Context, res *api.Resource, ns, name string) (api.Object, store.KeyValue, error) {
	kv, err := s.store.Get(ctx, key(res, ns, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, kv, errNotFound(res, name)
	}
	if err != nil {
		return nil, kv, storeError(err)
	}
	obj, err := decodeKV(res, kv)
	if err != nil {
		return nil, kv, errInternal(err)
	}
	return obj, kv, nil
}

// filter is a request's label and field selectors.
type filter struct {
	labels api.Selector
	fields api.FieldSelector
	res    *api.Resource // the resource selected from
}

func (f filter) empty() bool { return f.labels.Empty() && f.fields.Empty() }

func (f filter) matches(obj api.Object) bool {
	if !f.labels.Matches(obj.GetObjectMeta().Labels) {
		return false
	}
	return f.fields.Empty() || f.fields.Matches(objectFields(f.res, obj))
}

// matchesEntry is matches for a decode-cache entry, whose fields are
// already computed.
func (f filter) matchesEntry(e decoded) bool {
	if !f.labels.Matches(e.obj.GetObjectMeta().Labels) {
		return false
	}
	if f.fields.Empty() {
		return true
	}
	if f.res != nil && f.res.Custom != nil {
		// The cache computes fields without the resource, which a
		// custom object's selectable fields depend on.
		return f.fields.Matches(objectFields(f.res, e.obj))
	}
	return f.fields.Matches(e.fields)
}

// parseFilter reads labelSelector and fieldSelector from the query.
func parseFilter(res *api.Resource, req *rest.Request) (filter, error) {
	f := filter{res: res}
	var err error
	if f.labels, err = api.ParseSelector(req.Query.Get("labelSelector")); err != nil {
		return f, errBadRequest("invalid labelSelector: %v", err)
	}
	if f.fields, err = api.ParseFieldSelector(req.Query.Get("fieldSelector")); err != nil {
		return f, errBadRequest("invalid fieldSelector: %v", err)
	}
	if err := validateFieldSelector(res, f.fields); err != nil {
		return f, errBadRequest("%v", err)
	}
	return f, nil
}

// continueToken is what a list's "continue" value encodes: where the next
// page starts, and the revision every page is read at (so a paginated list
// is one consistent snapshot).
type continueToken struct {
	Revision int64  `json:"rv"`
	Start    string `json:"start"`
}

func encodeContinue(tok continueToken) string {
	b, _ := json.Marshal(tok)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeContinue(s, prefix string) (continueToken, error) {
	var tok continueToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &tok)
	}
	if err != nil || tok.Revision <= 0 || !strings.HasPrefix(tok.Start, prefix) {
		return tok, errBadRequest("continue key is not valid: pass the continue value of the previous page of the same list unchanged")
	}
	return tok, nil
}

// list answers GET of a collection: the objects matching the selectors, in
// key order, at one revision, a page at a time when limit is set.
func (s *Server) list(ctx context.Context, t target, req *rest.Request) response {
	f, err := parseFilter(t.res, req)
	if err != nil {
		return fail(err)
	}
	limit := int64(0)
	if v := req.Query.Get("limit"); v != "" {
		if limit, err = strconv.ParseInt(v, 10, 64); err != nil || limit < 0 {
			return fail(errBadRequest("invalid limit %q: it must be a non-negative integer", v))
		}
	}
	pfx := prefix(t.res, t.namespace)
	opts := store.ListOptions{}
	if c := req.Query.Get("continue"); c != "" {
		tok, err := decodeContinue(c, pfx)
		if err != nil {
			return fail(err)
		}
		opts.Revision, opts.StartKey = tok.Revision, tok.Start
	} else if rv := req.Query.Get("resourceVersion"); rv != "" && rv != "0" {
		n, err := parseResourceVersion(rv)
		if err != nil {
			return fail(err)
		}
		if req.Query.Get("resourceVersionMatch") == "Exact" {
			opts.Revision = n
		} else if cur, err := s.store.Revision(ctx); err != nil {
			return fail(storeError(err))
		} else if n > cur {
			return fail(errTimeout("Too large resource version: %d, current: %d", n, cur))
		}
	}
	items, rev, next, err := s.collect(ctx, t.res, pfx, opts, limit, f)
	if err != nil {
		if errors.Is(err, store.ErrCompacted) {
			if req.Query.Get("continue") != "" {
				return fail(errExpired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."))
			}
			return fail(errExpired("too old resource version: %s: list again without resourceVersion", req.Query.Get("resourceVersion")))
		}
		return fail(err)
	}
	list := api.RawList{
		TypeMeta: api.TypeMeta{APIVersion: t.res.APIVersion(), Kind: t.res.Kind + "List"},
		ListMeta: api.ListMeta{ResourceVersion: strconv.FormatInt(rev, 10)},
		Items:    items,
	}
	if next != "" {
		list.Continue = encodeContinue(continueToken{Revision: rev, Start: next})
	}
	body, err := json.Marshal(list)
	if err != nil {
		return fail(errInternal(err))
	}
	return ok(http.StatusOK, body, nil)
}

// collect reads pages from the store until limit matching objects are found
// (all of them when limit is 0). It returns the encoded objects, the
// revision read at, and the key to continue from ("" when done).
func (s *Server) collect(ctx context.Context, res *api.Resource, pfx string, opts store.ListOptions, limit int64, f filter) ([]json.RawMessage, int64, string, error) {
	items := []json.RawMessage{}
	for {
		page := opts
		if limit > 0 {
			page.Limit = limit - int64(len(items))
		}
		r, err := s.store.List(ctx, pfx, page)
		if err != nil {
			if errors.Is(err, store.ErrCompacted) {
				return nil, 0, "", err
			}
			return nil, 0, "", storeError(err)
		}
		opts.Revision = r.Revision
		for i, kv := range r.KVs {
			obj, err := decodeKV(res, kv)
			if err != nil {
				return nil, 0, "", errInternal(err)
			}
			if !f.matches(obj) {
				continue
			}
			b, err := json.Marshal(obj)
			if err != nil {
				return nil, 0, "", errInternal(err)
			}
			items = append(items, b)
			if limit > 0 && int64(len(items)) == limit && (i < len(r.KVs)-1 || r.More) {
				return items, r.Revision, kv.Key + "\x00", nil
			}
		}
		if !r.More || len(r.KVs) == 0 {
			return items, r.Revision, "", nil
		}
		opts.StartKey = r.KVs[len(r.KVs)-1].Key + "\x00"
	}
}
