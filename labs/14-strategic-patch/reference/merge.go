package reference

import (
	"fmt"
	"slices"
)

// MergeItem merges one patch item onto one original item (nil for a new
// one): the item type's own strategies, given by the caller.
type MergeItem = func(orig, patch map[string]any) (map[string]any, error)

// Steps are the parts of MergeList a mutant may replace.
type Steps struct {
	// Copy returns the list MergeList works on, so that original is left
	// alone: a fresh copy.
	Copy func(original []any) []any
	// Delete returns list without every item whose key has value v.
	Delete func(list []any, key string, v any) []any
	// Found merges p onto o, an item of original with the same key.
	Found func(o, p map[string]any, mergeItem MergeItem) (map[string]any, error)
	// Order interleaves named (the merged and new items, in patch order)
	// with rest (the original items the patch does not name, in order).
	Order func(named, rest, original []any, key string) []any
	// Replace honours {"$patch": "replace"}.
	Replace bool
}

// Plain are the steps of the contract.
var Plain = Steps{Copy: slices.Clone[[]any], Delete: DeleteAll, Found: MergeFound, Order: Order, Replace: true}

// MergeList is the contract of student.MergeList.
func MergeList(original, patch []any, key string, mergeItem MergeItem) ([]any, error) {
	return MergeListWith(Plain, original, patch, key, mergeItem)
}

// MergeListWith is MergeList made of s.
func MergeListWith(s Steps, original, patch []any, key string, mergeItem MergeItem) ([]any, error) {
	// 1. Read the patch: the items it names, the keys it deletes, and
	// whether it replaces the list.
	var named []map[string]any
	var deletes []any
	replace := false
	for i, p := range patch {
		pm, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("item %d of the patch list is not an object", i)
		}
		kv, hasKey := pm[key]
		d, directive := pm["$patch"]
		switch {
		case !directive:
			if !hasKey {
				return nil, fmt.Errorf("item %d of the patch list has no merge key %q", i, key)
			}
			named = append(named, pm)
		case d == "merge":
			if !hasKey {
				return nil, fmt.Errorf("item %d of the patch list has no merge key %q", i, key)
			}
			named = append(named, without(pm, "$patch"))
		case d == "delete":
			if !hasKey {
				return nil, fmt.Errorf("item %d of the patch list has $patch: delete but no merge key %q", i, key)
			}
			deletes = append(deletes, kv)
		case d == "replace":
			replace = s.Replace
		default:
			return nil, fmt.Errorf("item %d of the patch list has an unknown $patch directive %v (want replace, delete or merge)", i, d)
		}
	}

	// 2. Replace: the named items alone, as new items.
	if replace {
		out := []any{}
		for _, p := range named {
			m, err := mergeItem(nil, p)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	}

	// 3. Delete, then merge each named item onto its original, or add it.
	list := s.Copy(original)
	for _, v := range deletes {
		list = s.Delete(list, key, v)
	}
	var mergedNamed []any
	isNamed := map[int]bool{}
	for _, p := range named {
		i := slices.IndexFunc(list, func(o any) bool { return o.(map[string]any)[key] == p[key] })
		var m map[string]any
		var err error
		if i >= 0 {
			m, err = s.Found(list[i].(map[string]any), p, mergeItem)
			list[i] = m
			isNamed[i] = true
		} else {
			m, err = mergeItem(nil, p)
		}
		if err != nil {
			return nil, err
		}
		mergedNamed = append(mergedNamed, m)
	}
	var rest []any
	for i, o := range list {
		if !isNamed[i] {
			rest = append(rest, o)
		}
	}
	return s.Order(mergedNamed, rest, list, key), nil
}

// DeleteAll returns list without every item whose key has value v.
func DeleteAll(list []any, key string, v any) []any {
	var kept []any
	for _, o := range list {
		if o.(map[string]any)[key] != v {
			kept = append(kept, o)
		}
	}
	return kept
}

// MergeFound merges p onto o.
func MergeFound(o, p map[string]any, mergeItem MergeItem) (map[string]any, error) {
	return mergeItem(o, p)
}

// Order interleaves named and rest as the contract says. list is the
// original after the deletions: an item's position is where its key
// first appears there, -1 for a new one.
func Order(named, rest, list []any, key string) []any {
	pos := func(item any) int {
		k := item.(map[string]any)[key]
		return slices.IndexFunc(list, func(o any) bool { return o.(map[string]any)[key] == k })
	}
	out := []any{}
	for len(named) > 0 && len(rest) > 0 {
		if pn := pos(named[0]); pn >= 0 && pos(rest[0]) < pn {
			out, rest = append(out, rest[0]), rest[1:]
		} else {
			out, named = append(out, named[0]), named[1:]
		}
	}
	out = append(out, rest...)
	return append(out, named...)
}

// without returns a copy of m without field k.
func without(m map[string]any, k string) map[string]any {
	out := make(map[string]any, len(m))
	for kk, v := range m {
		if kk != k {
			out[kk] = v
		}
	}
	return out
}
