package strategiclab

import (
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/core/apiserver"
)

// expected is the API server's own answer, through the seam core keeps
// for this lab (apiserver.MergeList), on a copy of in.
func expected(in input) ([]any, error) {
	c := in.clone()
	return apiserver.MergeList(c.original, c.patch, c.key, mergeItem)
}

// clone copies in deeply.
func (in input) clone() input {
	return input{original: cloneList(in.original), patch: cloneList(in.patch), key: in.key}
}

func cloneList(l []any) []any {
	if l == nil {
		return nil
	}
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = cloneValue(x)
		}
		return m
	case []any:
		return cloneList(v)
	}
	return v
}

// The model: what any right answer shows, stated apart from Kubernetes'
// interleaving rule, so that a failure says which promise broke before
// it says that the order differs.

// plan is what a patch without mistakes asks for.
type plan struct {
	replace bool
	deleted []any            // keys
	named   []map[string]any // in patch order, without "$patch"
}

func planOf(in input) plan {
	var p plan
	for _, it := range in.patch {
		m := it.(map[string]any)
		switch m["$patch"] {
		case "replace":
			p.replace = true
		case "delete":
			p.deleted = append(p.deleted, m[in.key])
		default:
			n := map[string]any{}
			for k, v := range m {
				if k != "$patch" {
					n[k] = v
				}
			}
			p.named = append(p.named, n)
		}
	}
	return p
}

// model checks got against the promises of the contract that do not
// depend on the interleaving: which items there are, what each holds,
// and the orders that must be kept. It returns the first broken one.
func model(in input, got []any) error {
	p := planOf(in)
	keyOf := func(v any) any { m, _ := v.(map[string]any); return m[in.key] }
	var gotKeys []any
	for _, g := range got {
		if _, ok := g.(map[string]any); !ok {
			return fmt.Errorf("the result holds %s, which is not an object", render(g))
		}
		gotKeys = append(gotKeys, keyOf(g))
	}
	if p.replace {
		return nil // the exact answer is simple enough to say alone
	}
	for _, d := range p.deleted {
		if slices.Contains(gotKeys, d) {
			n := 0
			for _, o := range in.original {
				if keyOf(o) == d {
					n++
				}
			}
			return fmt.Errorf("the patch deletes %s=%s, which original holds %d times, and the result still holds it", in.key, render(d), n)
		}
	}
	var namedKeys []any
	for _, n := range p.named {
		k := n[in.key]
		namedKeys = append(namedKeys, k)
		var want map[string]any
		if i := slices.IndexFunc(in.original, func(o any) bool { return keyOf(o) == k }); i >= 0 {
			want, _ = mergeItem(in.original[i].(map[string]any), n)
		} else {
			want, _ = mergeItem(nil, n)
		}
		i := slices.Index(gotKeys, k)
		switch {
		case i < 0:
			return fmt.Errorf("the patch names %s=%s, and the result lacks it", in.key, render(k))
		case slices.Index(gotKeys[i+1:], k) >= 0:
			return fmt.Errorf("the result holds %s=%s more than once", in.key, render(k))
		case render(got[i]) != render(want):
			how := "mergeItem(original item, patch item)"
			if !slices.ContainsFunc(in.original, func(o any) bool { return keyOf(o) == k }) {
				how = "a new item, mergeItem(nil, patch item)"
			}
			return fmt.Errorf("the result's item %s=%s is %s, want %s: %s", in.key, render(k), render(got[i]), render(want), how)
		}
	}
	var untouched []any
	for _, o := range in.original {
		k := keyOf(o)
		if slices.Contains(p.deleted, k) || slices.Contains(namedKeys, k) {
			continue
		}
		untouched = append(untouched, k)
		i := slices.Index(gotKeys, k)
		switch {
		case i < 0:
			return fmt.Errorf("original's item %s, which the patch neither names nor deletes, is missing from the result", render(o))
		case render(got[i]) != render(o):
			return fmt.Errorf("original's item %s, which the patch neither names nor deletes, became %s", render(o), render(got[i]))
		}
	}
	if want := len(untouched) + len(namedKeys); len(got) != want {
		return fmt.Errorf("the result has %d items, want %d: the %d the patch names and the %d of original it neither names nor deletes", len(got), want, len(namedKeys), len(untouched))
	}
	only := func(keep []any) []any {
		var out []any
		for _, k := range gotKeys {
			if slices.Contains(keep, k) {
				out = append(out, k)
			}
		}
		return out
	}
	if o := only(untouched); !slices.Equal(o, untouched) {
		return fmt.Errorf("the items the patch does not name lost their order: original has %s, the result %s", render(untouched), render(o))
	}
	if o := only(namedKeys); !slices.Equal(o, namedKeys) {
		return fmt.Errorf("the items the patch names are not in the patch's order: the patch has %s, the result %s", render(namedKeys), render(o))
	}
	var kept []any // original's keys after the deletions
	for _, o := range in.original {
		if k := keyOf(o); !slices.Contains(p.deleted, k) {
			kept = append(kept, k)
		}
	}
	var namedInOriginal []any
	for _, k := range kept {
		if slices.Contains(namedKeys, k) {
			namedInOriginal = append(namedInOriginal, k)
		}
	}
	if slices.Equal(namedKeys, namedInOriginal) && !slices.Equal(gotKeys, kept) {
		return fmt.Errorf("the patch names only existing items, in original's order, so the result keeps original's order %s; it has %s", render(kept), render(gotKeys))
	}
	return nil
}
