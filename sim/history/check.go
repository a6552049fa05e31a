package history

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Options shape a check.
type Options struct {
	// Incomplete says that objects may have been written before recording
	// began (or by clients not recorded then): an object's first recorded
	// operation may find it present, at a version never seen. Without it,
	// every object starts absent.
	Incomplete bool
	// Timeout bounds the search (0: none). A search that runs out is
	// reported as Unknown, neither a pass nor a violation.
	Timeout time.Duration
	// Visualize, when set, is a file path: porcupine's HTML view is written
	// there, of the first non-linearizable object, or of every object when
	// the history is linearizable.
	Visualize string
}

// Result is the verdict of a check.
type Result struct {
	// Ok: every object's history is linearizable.
	Ok bool
	// Unknown: the search ran out of time before a verdict.
	Unknown bool
	// Ops operations were judged, on Keys objects; Excluded counts the
	// recorded calls not judged, by reason (lists, reads at a
	// resourceVersion, dry runs …). NoAnswer counts the judged operations
	// whose outcome is unknown.
	Ops, Keys, NoAnswer int
	Excluded            map[string]int
	// Versions counts the object versions (object and resourceVersion)
	// that answers showed, lists included; every answer showing one must
	// show the same content (see versions.go).
	Versions int
	// ByKind counts the judged operations by kind (create, get, update,
	// delete, bind).
	ByKind map[string]int
	// Key is the first object whose history is not linearizable (the one
	// whose first unexplainable operation returned earliest), and
	// Explanation says why in plain words.
	Key         string
	Explanation string
}

func (r Result) String() string {
	verdict := "linearizable"
	switch {
	case r.Unknown:
		verdict = "unknown (the search timed out)"
	case !r.Ok:
		verdict = "NOT linearizable"
	}
	s := fmt.Sprintf("%s: %d operations on %d objects (%d without an answer)", verdict, r.Ops, r.Keys, r.NoAnswer)
	if len(r.ByKind) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(r.ByKind)) {
			parts = append(parts, fmt.Sprintf("%d %s", r.ByKind[k], k))
		}
		s += " [" + strings.Join(parts, ", ") + "]"
	}
	if len(r.Excluded) > 0 {
		var parts []string
		for _, why := range slices.Sorted(maps.Keys(r.Excluded)) {
			parts = append(parts, fmt.Sprintf("%d %s", r.Excluded[why], why))
		}
		s += "; not judged: " + strings.Join(parts, ", ")
	}
	if r.Versions > 0 {
		s += fmt.Sprintf("; %d object versions compared across answers", r.Versions)
	}
	if r.Explanation != "" {
		s += "\n" + r.Explanation
	}
	return s
}

// judged is a history turned into porcupine operations, per object.
type judged struct {
	h      []Op
	byKey  map[string][]porcupine.Operation
	keys   []string
	client map[string]int
}

func prepare(h []Op, r *Result) judged {
	j := judged{h: h, byKey: map[string][]porcupine.Operation{}, client: map[string]int{}}
	r.Excluded, r.ByKind = map[string]int{}, map[string]int{}
	var procs []string
	end := int64(0)
	for _, op := range h {
		if _, ok := j.client[op.Process]; !ok {
			j.client[op.Process] = 0
			procs = append(procs, op.Process)
		}
		end = max(end, op.ReturnSeq, op.CallSeq)
	}
	sort.Strings(procs)
	for i, p := range procs {
		j.client[p] = i
	}
	for i, op := range h {
		key, in, out, ok, why := classify(op, i)
		if !ok {
			r.Excluded[why]++
			continue
		}
		ret := op.ReturnSeq
		if op.Unknown {
			// Lost on the way or on the way back: it may take effect
			// at any time after the call, as late as the end.
			ret = end + 1
		}
		if out.unknown {
			r.NoAnswer++
		}
		r.ByKind[kindNames[in.kind]]++
		j.byKey[key] = append(j.byKey[key], porcupine.Operation{ClientId: j.client[op.Process], Input: in, Call: op.CallSeq, Output: out, Return: ret})
		r.Ops++
	}
	j.keys = slices.Sorted(maps.Keys(j.byKey))
	r.Keys = len(j.keys)
	return j
}

func (j judged) model(o Options, partitioned bool) porcupine.Model {
	initial := []state{{}}
	if o.Incomplete {
		initial = append(initial, unseen(false, 0), unseen(true, 0))
	}
	m := model(initial, func(in input, out output) string {
		op := j.h[in.op]
		return fmt.Sprintf("#%d %s: %s", in.op, op.Process, describe(op, in))
	})
	if partitioned {
		m.Partition = func(ops []porcupine.Operation) [][]porcupine.Operation {
			groups := map[string][]porcupine.Operation{}
			for _, op := range ops {
				k := op.Input.(input).key
				groups[k] = append(groups[k], op)
			}
			out := make([][]porcupine.Operation, 0, len(groups))
			for _, k := range slices.Sorted(maps.Keys(groups)) {
				out = append(out, groups[k])
			}
			return out
		}
	}
	return m
}

func (j judged) all() []porcupine.Operation {
	var out []porcupine.Operation
	for _, k := range j.keys {
		out = append(out, j.byKey[k]...)
	}
	return out
}

// Check judges a recorded history: is there, for every object, one order
// of its operations, each placed between its call and its return, in which
// every answer is what the API promises (see doc.go for the promises)?
// Objects are judged apart (a history is linearizable when each object's
// is), on as many cores as there are. When the order holds, it also checks
// that every answer showing an object at one resourceVersion shows the
// same object.
func Check(h []Op, o Options) Result {
	var r Result
	j := prepare(h, &r)
	verdict := porcupine.CheckOperationsTimeout(j.model(o, true), j.all(), o.Timeout)
	if verdict != porcupine.Illegal {
		r.Ok, r.Unknown = verdict == porcupine.Ok, verdict == porcupine.Unknown
		key, why, n := checkVersions(h)
		r.Versions = n
		if key != "" {
			r.Ok, r.Unknown, r.Key, r.Explanation = false, false, key, why
			return r
		}
		if r.Ok && o.Visualize != "" {
			_, info := porcupine.CheckOperationsVerbose(j.model(o, true), j.all(), o.Timeout)
			if err := porcupine.VisualizePath(j.model(o, true), info, o.Visualize); err != nil {
				r.Explanation = "writing the visualization: " + err.Error()
			}
		}
		return r
	}
	// Some object is not linearizable: find each, and explain the one
	// that went wrong first.
	type failure struct {
		key     string
		culprit int // index in byKey[key]
		at      int64
		info    porcupine.LinearizationInfo
	}
	var first *failure
	m := j.model(o, false)
	for _, k := range j.keys {
		ops := j.byKey[k]
		if porcupine.CheckOperationsTimeout(m, ops, o.Timeout) != porcupine.Illegal {
			continue
		}
		_, info := porcupine.CheckOperationsVerbose(m, ops, o.Timeout)
		c := culprit(ops, info)
		if first == nil || ops[c].Return < first.at {
			first = &failure{key: k, culprit: c, at: ops[c].Return, info: info}
		}
	}
	if first == nil {
		// The partitioned check failed but no object alone does: only a
		// timeout can do that.
		r.Unknown = true
		return r
	}
	r.Key = first.key
	r.Explanation = j.explain(first.key, first.culprit, first.info, m)
	if o.Visualize != "" {
		if err := porcupine.VisualizePath(m, first.info, o.Visualize); err != nil {
			r.Explanation += "\nwriting the visualization: " + err.Error()
		}
	}
	return r
}

// culprit returns the operation that cannot be placed: of those left out
// of the longest linearizable order found, the one that returned first
// with an answer (an operation without one can always go last).
func culprit(ops []porcupine.Operation, info porcupine.LinearizationInfo) int {
	placed := longest(info)
	in := map[int]bool{}
	for _, id := range placed {
		in[id] = true
	}
	best := -1
	for i, op := range ops {
		if in[i] || op.Output.(output).unknown {
			continue
		}
		if best < 0 || op.Return < ops[best].Return {
			best = i
		}
	}
	if best < 0 {
		best = 0
	}
	return best
}

// longest returns the longest partial linearization (operation indexes in
// order), the first in a fixed order when several are as long.
func longest(info porcupine.LinearizationInfo) []int {
	partials := info.PartialLinearizations()
	if len(partials) == 0 {
		return nil
	}
	var best []int
	for _, p := range partials[0] {
		if len(p) > len(best) || (len(p) == len(best) && slices.Compare(p, best) < 0) {
			best = p
		}
	}
	return best
}

// maxShown bounds how many operations an explanation lists.
const maxShown = 24

func (j judged) explain(key string, c int, info porcupine.LinearizationInfo, m porcupine.Model) string {
	ops := j.byKey[key]
	var b strings.Builder
	bad := ops[c]
	badOp := j.h[bad.Input.(input).op]
	fmt.Fprintf(&b, "%s: no order of its %d operations explains every answer.\n", key, len(ops))
	fmt.Fprintf(&b, "First unexplainable: #%d at %s by %s: %s\n", bad.Input.(input).op, clock(badOp.Return), badOp.Process, describe(badOp, bad.Input.(input)))

	// The longest order found, and the state it leads to.
	order := longest(info)
	st := m.Init()
	for _, id := range order {
		_, st = m.Step(st, ops[id].Input, ops[id].Output)
	}
	var states []string
	for _, s := range st.([]any) {
		states = append(states, s.(state).String())
	}
	fmt.Fprintf(&b, "The longest order found places %d of them and leaves the object %s; ", len(order), strings.Join(states, ", or "))
	fmt.Fprintf(&b, "from there, nothing that must happen by %s fits.\n", clock(badOp.Return))

	// The operations around it, in call order: those that overlap it,
	// and those that returned last before it was called.
	var overlap, before []int
	for i, op := range ops {
		switch {
		case i == c || (op.Call <= bad.Return && op.Return >= bad.Call):
			overlap = append(overlap, i)
		case op.Call < bad.Call:
			before = append(before, i)
		}
	}
	byCall := func(ids []int) {
		sort.SliceStable(ids, func(a, b int) bool { return ops[ids[a]].Call < ops[ids[b]].Call })
	}
	// Of those before, the ones that returned last matter most.
	sort.SliceStable(before, func(a, b int) bool { return ops[before[a]].Return < ops[before[b]].Return })
	if len(overlap) > maxShown {
		// Keep the culprit and the overlapping operations called last.
		byCall(overlap)
		kept := overlap[len(overlap)-maxShown+1:]
		if !slices.Contains(kept, c) {
			kept = append(kept, c)
		}
		overlap = kept
	}
	room := max(0, maxShown-len(overlap))
	left := max(0, len(before)-room)
	shown := append(before[left:], overlap...)
	byCall(shown)
	if left > 0 {
		fmt.Fprintf(&b, "Operations on %s around it (%d earlier left out):\n", key, left)
	} else {
		fmt.Fprintf(&b, "Operations on %s up to it:\n", key)
	}
	pos := map[int]int{}
	for n, id := range order {
		pos[id] = n + 1
	}
	for _, i := range shown {
		op := j.h[ops[i].Input.(input).op]
		ret := clock(op.Return)
		if op.Unknown {
			ret = "?"
		}
		mark := ""
		switch {
		case i == c:
			mark = "   <-- cannot be placed"
		case pos[i] > 0:
			mark = fmt.Sprintf("   (placed %d)", pos[i])
		}
		fmt.Fprintf(&b, "  #%-5d %s–%-12s  %-20s %s%s\n", ops[i].Input.(input).op, clock(op.Call), ret, op.Process, describe(op, ops[i].Input.(input)), mark)
	}
	return strings.TrimRight(b.String(), "\n")
}

// clock renders an instant as a time of day to the millisecond: the
// simulator's epoch is midnight, so it reads as the time since the start.
func clock(t time.Time) string { return t.Format("15:04:05.000") }
