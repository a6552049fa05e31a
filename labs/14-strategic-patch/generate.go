package strategiclab

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// shape says what a generated patch may contain.
type shape struct {
	news    bool // names keys the original lacks
	deletes bool // deletes by key; the original repeats some deleted keys
	replace bool // carries {"$patch": "replace"}
	merges  bool // some items say "$patch": "merge"
	nulls   bool // some items set "extra" to null (mergeItem deletes it)
	inOrder bool // names the existing items in the original's order
	mistake bool // carries one mistake: a missing key, an unknown directive, an item mergeItem refuses
}

// A list as the API server sees it: a merge key, and a few values of it
// as a real list would have.
var keys = []struct {
	name   string
	values []any
}{
	{"name", []any{"web", "log", "proxy", "init", "db", "cache"}},
	{"containerPort", []any{json.Number("80"), json.Number("443"), json.Number("8080"), json.Number("9090"), json.Number("53"), json.Number("22")}},
	{"type", []any{"Ready", "Initialized", "PodScheduled", "ContainersReady", "DisruptionTarget", "Progressing"}},
}

// input is one call of MergeList.
type input struct {
	original, patch []any
	key             string
}

func generate(r *rand.Rand, s shape) input {
	k := keys[r.IntN(len(keys))]
	pool := k.values
	perm := r.Perm(len(pool))
	var origVals []any
	for _, i := range perm[:r.IntN(len(pool))] {
		origVals = append(origVals, pool[i])
	}
	var original []any
	for _, v := range origVals {
		original = append(original, map[string]any{k.name: v, "value": "old-" + str(v), "extra": "keep-" + str(v)})
	}

	perm = r.Perm(len(pool))
	var patchVals []any
	for _, i := range perm[:r.IntN(len(pool)+1)] {
		v := pool[i]
		if !s.news && !slices.Contains(origVals, v) {
			continue
		}
		patchVals = append(patchVals, v)
	}
	if s.inOrder {
		slices.SortStableFunc(patchVals, func(a, b any) int {
			return position(origVals, a) - position(origVals, b)
		})
	}
	var patch []any
	for _, v := range patchVals {
		if s.deletes && slices.Contains(origVals, v) && r.IntN(3) == 0 {
			patch = append(patch, map[string]any{k.name: v, "$patch": "delete"})
			for n := range r.IntN(3) { // the same key again, which the delete must remove too
				at := r.IntN(len(original) + 1)
				original = slices.Insert(original, at, any(map[string]any{k.name: v, "value": fmt.Sprintf("dup%d-%s", n+2, str(v))}))
			}
			continue
		}
		item := map[string]any{k.name: v, "value": "new-" + str(v)}
		if s.nulls && r.IntN(3) == 0 {
			item["extra"] = nil
		}
		if s.merges && r.IntN(3) == 0 {
			item["$patch"] = "merge"
		}
		patch = append(patch, item)
	}
	if s.replace {
		patch = slices.Insert(patch, r.IntN(len(patch)+1), any(map[string]any{"$patch": "replace"}))
	}
	if s.mistake {
		var bad map[string]any
		switch r.IntN(4) {
		case 0:
			bad = map[string]any{"value": "no-key"}
		case 1:
			bad = map[string]any{k.name: pool[r.IntN(len(pool))], "$patch": pick(r, []string{"remove", "retainKeys", "Delete"})}
		case 2:
			bad = map[string]any{"$patch": "delete"}
		case 3:
			bad = map[string]any{k.name: pool[r.IntN(len(pool))], "value": "refused", "invalid": true}
		}
		patch = slices.Insert(patch, r.IntN(len(patch)+1), any(bad))
	}
	return input{original: original, patch: patch, key: k.name}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func position(list []any, v any) int {
	if i := slices.Index(list, v); i >= 0 {
		return i
	}
	return len(list)
}

func str(v any) string { return fmt.Sprint(v) }

// mergeItem is the item merge the checker hands MergeList: the patch's
// fields on top of the original's, a null deleting the field, as the API
// server merges an item with no lists inside. It refuses an item with
// "invalid", as the server refuses a bad directive deeper in the item.
func mergeItem(o, p map[string]any) (map[string]any, error) {
	if p["invalid"] == true {
		return nil, fmt.Errorf("the item %s cannot be merged (this checker's mergeItem refuses items with \"invalid\")", render(p))
	}
	out := map[string]any{}
	for k, v := range o {
		out[k] = v
	}
	for k, v := range p {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out, nil
}

// render is v as compact JSON, map keys sorted; a nil list is [].
func render(v any) string {
	if l, ok := v.([]any); ok && l == nil {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// renderList is a list one item a line, for a failure message.
func renderList(l []any) string {
	if len(l) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.WriteString("[")
	for i, v := range l {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n      " + render(v))
	}
	b.WriteString("]")
	return b.String()
}

func (in input) String() string {
	return fmt.Sprintf("key %q,\n    original %s,\n    patch %s", in.key, renderList(in.original), renderList(in.patch))
}

// snapshot is in's lists, deep, as text: what MergeList must not change.
func (in input) snapshot() string { return render(in.original) + render(in.patch) }
