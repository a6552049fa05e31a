package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Every write records who made it in the object's metadata.managedFields:
// one entry per field manager (and operation and subresource) with the set
// of fields that manager owns (fieldset.go). A writer that is not applying
// (create, update, patch: an "Update" operation) takes the fields it
// changed — from whoever owned them — and loses the ones it removed. Server-
// side apply (apply.go) reads these sets to tell a change that would
// overwrite another manager's field (a conflict) from one that would not,
// and to remove what an applier stopped applying. Kubernetes keeps the
// same record, in the same format, so kubectl, client-go and Helm can read
// tinykube's.

// maxManagerLength is the longest field manager name Kubernetes accepts.
const maxManagerLength = 128

// beforeFirstApply is the manager that owns what an object held before its
// first apply, when it has no managed fields at all (written before they
// were tracked): the applier then does not take those fields silently.
const beforeFirstApply = "before-first-apply"

// writer is who makes a write, for metadata.managedFields.
type writer struct {
	manager     string // the field manager; "" for a write that is not recorded
	subresource string // "status", "scale" …, or "" for the object itself
	// applied says the write is a server-side apply that set managedFields
	// itself; the update path then keeps them as they are.
	applied bool
}

// untracked is the writer of the server's own bookkeeping writes (marking
// an object deleted, binding a pod, a budget's disruptions): Kubernetes
// records no manager for them either.
var untracked = writer{}

// writerOf returns the writer of a request: the manager named by its
// fieldManager, or else the program its User-Agent names ("kubectl" for
// "kubectl/v1.32.4 (linux/amd64) …").
func writerOf(t target, req *rest.Request) (writer, error) {
	m := req.Query.Get("fieldManager")
	if m == "" {
		m, _, _ = strings.Cut(req.UserAgent, "/")
		if len(m) > maxManagerLength {
			m = m[:maxManagerLength]
		}
		if m == "" {
			m = "unknown"
		}
	}
	if len(m) > maxManagerLength {
		return writer{}, errBadRequest("fieldManager: Invalid value: %q: must be at most %d characters", m, maxManagerLength)
	}
	for _, r := range m {
		if !unicode.IsPrint(r) {
			return writer{}, errBadRequest("fieldManager: Invalid value: %q: must contain only printable characters", m)
		}
	}
	return writer{manager: m, subresource: t.subresource}, nil
}

// managerKey identifies one managedFields entry.
type managerKey struct {
	manager, operation, subresource string
}

// managerEntry is one manager's fields.
type managerEntry struct {
	apiVersion string
	time       *api.Time
	set        *fieldSet
}

type managers map[managerKey]*managerEntry

// decodeManagers reads an object's managedFields, naming the entry that is
// malformed.
func decodeManagers(list []api.ManagedFieldsEntry) (managers, error) {
	ms := managers{}
	for i, e := range list {
		at := fmt.Sprintf("metadata.managedFields[%d]", i)
		if e.Operation != api.ManagedFieldsApply && e.Operation != api.ManagedFieldsUpdate {
			return nil, fmt.Errorf("%s.operation: Unsupported value: %q: supported values: \"Apply\", \"Update\"", at, e.Operation)
		}
		if e.FieldsType != "FieldsV1" {
			return nil, fmt.Errorf("%s.fieldsType: Unsupported value: %q: supported values: \"FieldsV1\"", at, e.FieldsType)
		}
		set := newFieldSet()
		if len(e.FieldsV1) > 0 {
			var err error
			if set, err = parseFieldsV1(e.FieldsV1); err != nil {
				return nil, fmt.Errorf("%s.%v", at, err)
			}
		}
		k := managerKey{e.Manager, e.Operation, e.Subresource}
		if prev, dup := ms[k]; dup {
			set = set.union(prev.set)
		}
		ms[k] = &managerEntry{apiVersion: e.APIVersion, time: e.Time, set: set}
	}
	return ms, nil
}

// encode writes the managers back as managedFields, in a fixed order
// (oldest change first), leaving out managers that own nothing.
func (ms managers) encode() []api.ManagedFieldsEntry {
	keys := make([]managerKey, 0, len(ms))
	for k, e := range ms {
		if !e.set.empty() {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := ms[keys[i]], ms[keys[j]]
		if ta, tb := timeOf(a.time), timeOf(b.time); ta != tb {
			return ta < tb
		}
		if keys[i].operation != keys[j].operation {
			return keys[i].operation == api.ManagedFieldsApply
		}
		if keys[i].manager != keys[j].manager {
			return keys[i].manager < keys[j].manager
		}
		return keys[i].subresource < keys[j].subresource
	})
	var out []api.ManagedFieldsEntry
	for _, k := range keys {
		e := ms[k]
		out = append(out, api.ManagedFieldsEntry{Manager: k.manager, Operation: k.operation, APIVersion: e.apiVersion,
			Time: e.time, FieldsType: "FieldsV1", FieldsV1: e.set.fieldsV1(), Subresource: k.subresource})
	}
	return out
}

func timeOf(t *api.Time) string {
	if t == nil {
		return ""
	}
	b, _ := json.Marshal(t)
	return string(b)
}

// others returns the keys of every manager but me, in a fixed order.
func (ms managers) others(me managerKey) []managerKey {
	var keys []managerKey
	for k := range ms {
		if k != me {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j])
	})
	return keys
}

// baseManagers returns the managers a write starts from: the live
// object's, unless the write sends managedFields of its own that differ
// (then those; a single empty entry clears them all). An empty list keeps
// the live ones, so a client that drops the field loses nothing.
func baseManagers(old, next api.Object) (managers, error) {
	var live []api.ManagedFieldsEntry
	if old != nil {
		live = old.GetObjectMeta().ManagedFields
	}
	sent := next.GetObjectMeta().ManagedFields
	switch {
	case len(sent) == 0 || reflect.DeepEqual(sent, live):
		return decodeManagers(live)
	case len(sent) == 1 && reflect.DeepEqual(sent[0], api.ManagedFieldsEntry{}):
		return managers{}, nil
	}
	return decodeManagers(sent)
}

// treeOf returns an object's JSON as maps, lists and scalars.
func treeOf(obj api.Object) (map[string]any, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	v, err := decodeJSON(b, "object")
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

// emptyTree returns the JSON of an empty object of res's kind, made once.
// It is shared: callers must not modify it.
func emptyTree(res *api.Resource) map[string]any {
	if res.Custom != nil {
		// Not cached: a custom resource's Resource is made anew each
		// time its definitions change, and its empty object is small.
		t, err := treeOf(res.New())
		if err != nil {
			panic(fmt.Sprintf("an empty %s does not encode: %v", res.Kind, err))
		}
		return t
	}
	empties.mu.Lock()
	defer empties.mu.Unlock()
	if t, ok := empties.m[res]; ok {
		return t
	}
	if empties.m == nil {
		empties.m = map[*api.Resource]map[string]any{}
	}
	t, err := treeOf(res.New())
	if err != nil {
		panic(fmt.Sprintf("an empty %s does not encode: %v", res.Kind, err))
	}
	empties.m[res] = t
	return t
}

var empties struct {
	mu sync.Mutex
	m  map[*api.Resource]map[string]any
}

// serverMetadata are the fields of metadata that no manager owns: the
// server sets them, or they name the object.
var serverMetadata = []string{"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
	"deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink"}

// ownable returns the part of an object's JSON that managers can own on
// subresource sub: never apiVersion, kind or the server's metadata; where
// status is a subresource, not the status on the object itself (the status
// writer owns that), and only status and metadata on the status
// subresource. tree is not modified.
func ownable(res *api.Resource, tree map[string]any, sub string) map[string]any {
	out := make(map[string]any, len(tree))
	for k, v := range tree {
		switch {
		case k == "apiVersion" || k == "kind":
		case k == "metadata":
			meta, ok := v.(map[string]any)
			if !ok {
				continue
			}
			m := make(map[string]any, len(meta))
			for mk, mv := range meta {
				m[mk] = mv
			}
			for _, f := range serverMetadata {
				delete(m, f)
			}
			if len(m) > 0 {
				out[k] = m
			}
		case sub == "status" || sub == "approval":
			if k == "status" {
				out[k] = v
			}
		case k == "status" && res.HasStatus:
		default:
			out[k] = v
		}
	}
	return out
}

// recordUpdate sets next's managedFields after an Update by w: w takes
// the fields that changed from old to next (from whoever owned them) and
// every manager loses the fields that are gone. old is nil for a create;
// oldJSON is old as stored.
func (s *Server) recordUpdate(res *api.Resource, old api.Object, oldJSON []byte, next api.Object, w writer) error {
	ms, err := baseManagers(old, next)
	if err != nil {
		return errInvalid(res, next.GetObjectMeta().Name, api.FieldErrors{{Type: "Invalid value", Field: "metadata.managedFields", Detail: err.Error()}})
	}
	sh := s.shapeFor(res)
	// A create compares with the empty object, as Kubernetes does: its
	// spec is there already, only what the creator sets is new.
	var oldTree map[string]any
	if old == nil {
		oldTree = ownable(res, emptyTree(res), w.subresource)
	} else {
		v, err := decodeJSON(oldJSON, "stored object")
		if err != nil {
			return errInternal(err)
		}
		t, _ := v.(map[string]any)
		oldTree = ownable(res, t, w.subresource)
	}
	newTree, err := treeOf(next)
	if err != nil {
		return errInternal(err)
	}
	c, err := compareTrees(oldTree, ownable(res, newTree, w.subresource), sh)
	if err != nil {
		return errInvalid(res, next.GetObjectMeta().Name, api.FieldErrors{{Type: "Invalid value", Field: "", Detail: err.Error()}})
	}
	c.withoutMetadata()
	me := managerKey{w.manager, api.ManagedFieldsUpdate, w.subresource}
	changed := c.added.union(c.modified)
	gone := changed.union(c.removed)
	for _, k := range ms.others(me) {
		ms[k].set = ms[k].set.difference(gone)
	}
	e := ms[me]
	if e == nil {
		e = &managerEntry{set: newFieldSet()}
		ms[me] = e
	}
	e.set = e.set.difference(c.removed).union(changed)
	if !c.empty() {
		e.time, e.apiVersion = api.NewTime(s.clock.Now()), res.APIVersion()
	}
	next.GetObjectMeta().ManagedFields = ms.encode()
	return nil
}

// withoutMetadata takes metadata itself out of a comparison: nobody owns
// the whole of metadata, only the fields inside it.
func (c comparison) withoutMetadata() {
	for _, s := range []*fieldSet{c.added, c.removed, c.modified} {
		if m := s.children["f:metadata"]; m != nil {
			m.member = false
		}
	}
}

// conflict is one field an apply would take from another manager.
type conflict struct {
	manager managerKey
	version string
	path    []string
}

// errApplyConflict is the 409 of an apply that would change fields other
// managers own, worded as Kubernetes words it: one cause per field, each
// naming the manager, so that the user can decide to force or to leave
// the field alone.
func errApplyConflict(res *api.Resource, name string, cs []conflict) error {
	var causes []api.StatusCause
	var b strings.Builder
	fmt.Fprintf(&b, "Apply failed with %d conflict", len(cs))
	if len(cs) != 1 {
		b.WriteString("s")
	}
	b.WriteString(":")
	last := ""
	for _, c := range cs {
		who := conflictWith(c)
		path := pathString(c.path)
		causes = append(causes, api.StatusCause{Type: "FieldManagerConflict", Message: who, Field: path})
		if len(cs) == 1 {
			fmt.Fprintf(&b, " %s: %s", who, path)
			continue
		}
		if who != last {
			fmt.Fprintf(&b, "\n%s:", strings.Replace(who, "conflict with", "conflicts with", 1))
			last = who
		}
		fmt.Fprintf(&b, "\n- %s", path)
	}
	return api.NewStatusError(http.StatusConflict, api.ReasonConflict,
		&api.StatusDetails{Name: name, Group: res.Group, Kind: res.Plural, Causes: causes}, "%s", b.String())
}

func conflictWith(c conflict) string {
	s := fmt.Sprintf("conflict with %q", c.manager.manager)
	if c.manager.subresource != "" {
		s += fmt.Sprintf(" with subresource %q", c.manager.subresource)
	}
	return s + " using " + c.version
}
