package mutants

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/labs/14-strategic-patch/reference"
)

// MergeFunc is an answer to the lab.
type MergeFunc = func(original, patch []any, key string, mergeItem reference.MergeItem) ([]any, error)

// Mutant is one broken answer.
type Mutant struct {
	Name      string
	MergeList MergeFunc
}

// with is the reference with its steps changed by change.
func with(change func(*reference.Steps)) MergeFunc {
	s := reference.Plain
	change(&s)
	return func(original, patch []any, key string, mergeItem reference.MergeItem) ([]any, error) {
		return reference.MergeListWith(s, original, patch, key, mergeItem)
	}
}

// All are the mutants the checker must kill.
var All = []Mutant{
	// A found item is replaced by the patch item: the fields the patch
	// does not mention are lost (kubectl set image would drop a
	// container's command).
	{"replaces-instead-of-merging", with(func(s *reference.Steps) {
		s.Found = func(_, p map[string]any, mergeItem reference.MergeItem) (map[string]any, error) {
			return mergeItem(nil, p)
		}
	})},
	// $patch: delete is read and then forgotten.
	{"loses-delete", with(func(s *reference.Steps) {
		s.Delete = func(list []any, _ string, _ any) []any { return list }
	})},
	// Only the first item with the key goes.
	{"deletes-first-match-only", with(func(s *reference.Steps) {
		s.Delete = func(list []any, key string, v any) []any {
			i := slices.IndexFunc(list, func(o any) bool { return o.(map[string]any)[key] == v })
			if i < 0 {
				return list
			}
			return slices.Concat(list[:i], list[i+1:])
		}
	})},
	// Merged items stay where they were and new ones go at the end: what
	// one would guess, not Kubernetes' rule.
	{"appends-new-items", with(func(s *reference.Steps) {
		s.Order = func(named, rest, list []any, key string) []any {
			var out, added []any
			for _, n := range named {
				if k := n.(map[string]any)[key]; !slices.ContainsFunc(list, func(o any) bool { return o.(map[string]any)[key] == k }) {
					added = append(added, n)
				}
			}
			out = append(out, list...)
			return append(out, added...)
		}
	})},
	// The items the patch does not name come sorted by key, not in the
	// order the server had them.
	{"server-items-lose-order", with(func(s *reference.Steps) {
		s.Order = func(named, rest, list []any, key string) []any {
			rest = slices.Clone(rest)
			slices.SortStableFunc(rest, func(a, b any) int {
				return cmp.Compare(fmt.Sprint(a.(map[string]any)[key]), fmt.Sprint(b.(map[string]any)[key]))
			})
			return reference.Order(named, rest, list, key)
		}
	})},
	// {"$patch": "replace"} is skipped: the list is merged instead.
	{"ignores-replace", with(func(s *reference.Steps) { s.Replace = false })},
	// It works on original itself: a merged item is written back into
	// the caller's list.
	{"modifies-its-input", with(func(s *reference.Steps) {
		s.Copy = func(original []any) []any { return original }
	})},
	// An error from mergeItem is swallowed and the patch item kept as is.
	{"swallows-item-errors", func(original, patch []any, key string, mergeItem reference.MergeItem) ([]any, error) {
		return reference.MergeList(original, patch, key, func(o, p map[string]any) (map[string]any, error) {
			m, err := mergeItem(o, p)
			if err != nil {
				return p, nil
			}
			return m, nil
		})
	}},
}
