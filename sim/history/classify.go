package history

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/rest"
)

// kind is what an operation does to the one object it names.
type kind int

const (
	kindGet    kind = iota // GET of an object (or its status) with no resourceVersion
	kindCreate             // POST to a collection
	kindUpdate             // PUT or PATCH of an object or its status
	kindDelete             // DELETE of an object
	kindBind               // POST pods/NAME/binding
	kindEvict              // POST pods/NAME/eviction
)

var kindNames = map[kind]string{kindGet: "get", kindCreate: "create", kindUpdate: "update", kindDelete: "delete", kindBind: "bind", kindEvict: "evict"}

// precondition is what resourceVersion a write insists on.
type precondition struct {
	rv int64
	// any is set when the write may carry a precondition the checker
	// cannot read (a JSON patch can test any field) or one it does not
	// model (a delete's uid): a Conflict answer is then always possible.
	any bool
}

// input is a model operation: what a client asked of one object.
type input struct {
	kind kind
	pre  precondition
	// anyConflict: this call can meet a Conflict the model does not
	// track (a binding of a pod that already has a node, a namespace that
	// is not empty).
	anyConflict bool
	// serverWrites: the API server itself writes this object between the
	// calls recorded (an eviction updates its disruption budget's status
	// in process), so its resourceVersion may move unseen at any time.
	serverWrites bool
	key          string // the object: namespace/resource/name
	op           int    // index in the history, for explanations
}

// fate says whether an object is still there after a write answered 200.
type fate int

const (
	stays   fate = iota // still there (changed or not)
	removed             // gone
	either              // the answer cannot tell (see classifyDelete)
)

// output is what the client got back.
type output struct {
	unknown bool // no answer: lost request, lost answer, or a 5xx
	code    int
	rv      int64 // of the object in a 2xx answer; 0 when there is none
	marked  bool  // the object answered has a deletionTimestamp
	fate    fate
}

// answerMeta is the part of an answered object the checker reads.
type answerMeta struct {
	Metadata struct {
		Name                       string          `json:"name"`
		GenerateName               string          `json:"generateName"`
		ResourceVersion            string          `json:"resourceVersion"`
		DeletionTimestamp          json.RawMessage `json:"deletionTimestamp"`
		DeletionGracePeriodSeconds *int64          `json:"deletionGracePeriodSeconds"`
		Finalizers                 []string        `json:"finalizers"`
	} `json:"metadata"`
}

func (m answerMeta) marked() bool {
	d := m.Metadata.DeletionTimestamp
	return len(d) > 0 && string(d) != "null"
}

// target is the object an API path names.
type target struct {
	resource    string // "configmaps", "apps/deployments"
	namespace   string
	name        string // "" for a collection
	subresource string
}

// key names the object in explanations and partitions: namespace/resource/name.
func (t target) key(name string) string {
	if t.namespace == "" {
		return t.resource + "/" + name
	}
	return t.namespace + "/" + t.resource + "/" + name
}

// parsePath reads /api/v1/... and /apis/GROUP/VERSION/... paths; ok is
// false for anything else (discovery, /version, /healthz).
func parsePath(p string) (t target, ok bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	group := ""
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		parts = parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		group, parts = parts[1], parts[3:]
	default:
		return t, false
	}
	if len(parts) >= 3 && parts[0] == "namespaces" {
		if parts[2] == "status" && len(parts) == 3 { // a namespace's own status
			parts = []string{"namespaces", parts[1], "status"}
		} else {
			t.namespace, parts = parts[1], parts[2:]
		}
	}
	if len(parts) == 0 || len(parts) > 3 {
		return t, false
	}
	t.resource = parts[0]
	if group != "" {
		t.resource = group + "/" + parts[0]
	}
	if len(parts) >= 2 {
		t.name = parts[1]
	}
	if len(parts) == 3 {
		t.subresource = parts[2]
	}
	return t, true
}

// classify turns a recorded call into a model operation on one object. It
// returns ok=false, with the reason, for calls the model does not judge:
// lists, reads at a resourceVersion, dry runs, discovery, a create whose
// generated name never came back.
func classify(op Op, i int) (key string, in input, out output, ok bool, why string) {
	if op.Query.Get("dryRun") != "" {
		return "", in, out, false, "dry run"
	}
	t, isAPI := parsePath(op.Path)
	if !isAPI {
		return "", in, out, false, "not an object"
	}
	in.op = i
	out = answer(op)
	name := t.name
	switch {
	case op.Method == http.MethodGet:
		if name == "" {
			return "", in, out, false, "list"
		}
		if t.subresource != "" && t.subresource != "status" {
			return "", in, out, false, "not an object"
		}
		if op.Query.Get("resourceVersion") != "" || op.Query.Get("resourceVersionMatch") != "" {
			return "", in, out, false, "read at a resourceVersion"
		}
		in.kind = kindGet
	case op.Method == http.MethodPost && name == "":
		in.kind = kindCreate
		var m answerMeta
		_ = json.Unmarshal(op.Body, &m)
		name = m.Metadata.Name
		if name == "" && out.code == http.StatusCreated {
			var a answerMeta
			_ = json.Unmarshal(op.Answer, &a)
			name = a.Metadata.Name
		}
		if name == "" {
			return "", in, out, false, "generated name unknown"
		}
	case op.Method == http.MethodPost && t.subresource == "binding":
		in.kind, in.anyConflict = kindBind, true
		out.rv = 0 // the answer is a Status, not the pod
	case op.Method == http.MethodPost && t.subresource == "eviction":
		// An eviction is a delete that a disruption budget may refuse
		// (429). It may meet a Conflict the model does not track (the
		// budget's status was written meanwhile).
		in.kind, in.anyConflict = kindEvict, true
		in.pre = deletePrecondition(op)
		out.rv = 0 // the answer is a Status, not the pod
	case (op.Method == http.MethodPut || op.Method == http.MethodPatch) && name != "" && (t.subresource == "" || t.subresource == "status" || t.subresource == "finalize"):
		// finalize: the namespace controller takes the kubernetes
		// finalizer off a namespace marked for deletion, which may
		// remove it.
		in.kind = kindUpdate
		in.pre = updatePrecondition(op)
		out.fate = updateFate(op)
	case op.Method == http.MethodDelete && name != "" && t.subresource == "":
		in.kind = kindDelete
		in.pre = deletePrecondition(op)
		// A delete that marks the object checks that it is still the
		// object it read (its uid): one replaced meanwhile is a Conflict.
		// And a namespace is refused while it is not empty.
		in.anyConflict = true
		out.fate = deleteFate(op)
	default:
		return "", in, out, false, "not an object"
	}
	in.key = t.key(name)
	in.serverWrites = serverWritten[t.resource]
	return in.key, in, out, true, ""
}

// serverWritten are the resources the API server writes on its own, not
// through a call a recorder sees.
var serverWritten = map[string]bool{"policy/poddisruptionbudgets": true}

// answer reads the outcome of a call. A 5xx is treated as no answer: the
// server failed somewhere, perhaps after the write.
func answer(op Op) output {
	if op.Unknown || op.Code >= 500 {
		return output{unknown: true, code: op.Code}
	}
	out := output{code: op.Code}
	if op.Code >= 200 && op.Code < 300 {
		var m answerMeta
		if json.Unmarshal(op.Answer, &m) == nil {
			out.rv, _ = strconv.ParseInt(m.Metadata.ResourceVersion, 10, 64)
			out.marked = m.marked()
		}
	}
	return out
}

// updatePrecondition reads the resourceVersion a PUT or PATCH insists on:
// metadata.resourceVersion of the body (or of a merge patch). A JSON patch
// can test or replace any field, so its precondition is not read.
func updatePrecondition(op Op) precondition {
	if op.Method == http.MethodPatch && !strings.HasPrefix(op.ContentType, rest.ContentMergePatch) {
		return precondition{any: true}
	}
	var m answerMeta
	if json.Unmarshal(op.Body, &m) != nil {
		return precondition{}
	}
	return parsePrecondition(m.Metadata.ResourceVersion)
}

// parsePrecondition reads a resourceVersion precondition. One that is not
// a revision the server hands out ("0", "abc") still conflicts with every
// version: the model cannot name it, so it allows a Conflict.
func parsePrecondition(rv string) precondition {
	if rv == "" {
		return precondition{}
	}
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n <= 0 {
		return precondition{any: true}
	}
	return precondition{rv: n}
}

// updateFate tells from the answer whether an update removed the object:
// the API server deletes an object marked for deletion whose last
// finalizer goes and whose grace period is over, and answers with it.
func updateFate(op Op) fate {
	var m answerMeta
	if op.Code != http.StatusOK || json.Unmarshal(op.Answer, &m) != nil {
		return stays
	}
	g := m.Metadata.DeletionGracePeriodSeconds
	if m.marked() && len(m.Metadata.Finalizers) == 0 && (g == nil || *g == 0) {
		return removed
	}
	return stays
}

// deletePrecondition reads DeleteOptions.preconditions from the body.
func deletePrecondition(op Op) precondition {
	var o struct {
		Preconditions *struct {
			UID             *string `json:"uid"`
			ResourceVersion *string `json:"resourceVersion"`
		} `json:"preconditions"`
	}
	if len(op.Body) == 0 || json.Unmarshal(op.Body, &o) != nil || o.Preconditions == nil {
		return precondition{}
	}
	var p precondition
	if rv := o.Preconditions.ResourceVersion; rv != nil {
		p = parsePrecondition(*rv)
	}
	p.any = p.any || o.Preconditions.UID != nil
	return p
}

// deleteFate tells from a delete's answer whether the object went. An
// object deleted at once comes back as it was before (so without a
// deletionTimestamp, unless an earlier delete marked it); an object only
// marked comes back marked, with a finalizer or a grace period to wait
// for. A marked object without finalizers is ambiguous: a pod marked
// earlier with a grace period and now deleted with grace 0 looks the same
// as one marked now.
func deleteFate(op Op) fate {
	var m answerMeta
	if op.Code != http.StatusOK || json.Unmarshal(op.Answer, &m) != nil {
		return stays
	}
	switch {
	case !m.marked():
		return removed
	case len(m.Metadata.Finalizers) > 0:
		return stays
	}
	return either
}

// describe renders an operation for explanations: "update rv=12 → 200 rv=14".
func describe(op Op, in input) string {
	var b strings.Builder
	b.WriteString(kindNames[in.kind])
	if in.kind == kindUpdate || in.kind == kindDelete {
		switch {
		case in.pre.rv != 0:
			fmt.Fprintf(&b, " if rv=%d", in.pre.rv)
		case in.pre.any:
			b.WriteString(" (with an unread precondition)")
		}
	}
	b.WriteString(" → ")
	switch {
	case op.Unknown:
		b.WriteString("no answer: " + op.Err)
	case op.Code >= 500:
		fmt.Fprintf(&b, "%d (outcome unknown)", op.Code)
	default:
		fmt.Fprintf(&b, "%d", op.Code)
		if r := reason(op); r != "" {
			b.WriteString(" " + r)
		}
		out := answer(op)
		if out.rv != 0 && in.kind != kindBind {
			fmt.Fprintf(&b, " rv=%d", out.rv)
		}
		switch {
		case in.kind == kindDelete && op.Code == http.StatusOK:
			b.WriteString(map[fate]string{stays: " (marked)", removed: " (removed)", either: " (removed or marked)"}[deleteFate(op)])
		case in.kind == kindUpdate && updateFate(op) == removed:
			b.WriteString(" (removed: last finalizer gone)")
		}
	}
	return b.String()
}

// reason returns the reason of a Status answer ("Conflict", "NotFound").
func reason(op Op) string {
	if op.Code < 400 {
		return ""
	}
	var st struct {
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal(op.Answer, &st)
	return st.Reason
}
