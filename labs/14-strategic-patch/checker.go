package strategiclab

import (
	"fmt"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tinykube/tinykube/labs/lab"
)

// MergeFunc is an answer to the lab: student.MergeList.
type MergeFunc func(original, patch []any, key string, mergeItem func(orig, patch map[string]any) (map[string]any, error)) ([]any, error)

const book = `book/14-speaking-kubernetes.md, "Code: strategic merge patch"`

// Lab returns lab 14 checking merge.
func Lab(merge MergeFunc) lab.Lab {
	c := checker{merge}
	return lab.Lab{Number: "14", Name: "strategic merge patch's list merge", Book: `book/14-speaking-kubernetes.md, "Lab"`, Tests: []lab.Test{
		{Name: "MergesMatchingItems", Points: 20, Book: book + " (mergeList)",
			Property: "an item the patch names that original has becomes mergeItem(original item, patch item); the items the patch does not name are untouched",
			Check:    c.exact(func(*lab.Env) shape { return shape{nulls: true} })},
		{Name: "AddsNewItems", Points: 15, Book: book + " (mergeList, orderItems)",
			Property: "an item the patch names that original lacks is added as mergeItem(nil, patch item), where Kubernetes' order puts it: before the unnamed items that follow",
			Check:    c.exact(func(*lab.Env) shape { return shape{news: true, nulls: true} })},
		{Name: "DeletesEveryMatch", Points: 15, Book: book + " (mergeList)",
			Property: "an item with \"$patch\": \"delete\" removes every original item with its key, and nothing else; \"$patch\": \"merge\" merges as usual",
			Check:    c.exact(func(*lab.Env) shape { return shape{deletes: true, news: true, merges: true} })},
		{Name: "KeepsServerOrder", Points: 20, Book: book + " (orderItems)",
			Property: "the items the patch does not name keep original's order, the named ones come in the patch's order, and a patch naming existing items in original's order keeps that order",
			Check: c.exact(func(env *lab.Env) shape {
				return shape{news: env.Rand.IntN(2) == 0, deletes: env.Rand.IntN(2) == 0, inOrder: env.Rand.IntN(2) == 0}
			})},
		{Name: "ReplacesWholeList", Points: 10, Book: book + " (mergeList)",
			Property: "with an item {\"$patch\": \"replace\"} the result is the patch's other items alone, each mergeItem(nil, item), in the patch's order",
			Check: c.exact(func(env *lab.Env) shape {
				return shape{replace: true, news: true, deletes: env.Rand.IntN(2) == 0, merges: true, nulls: true}
			})},
		{Name: "RejectsBadItems", Points: 10, Book: book + " (mergeList)",
			Property: "a patch item without the merge key, a delete without it, an unknown \"$patch\" value, or an item mergeItem refuses makes MergeList return an error",
			Check: c.exact(func(env *lab.Env) shape {
				return shape{mistake: true, news: true, deletes: env.Rand.IntN(2) == 0, replace: env.Rand.IntN(4) == 0}
			})},
		{Name: "LeavesArgumentsAlone", Points: 10, Book: book + " (mergeList)",
			Property: "MergeList changes neither original nor patch, nor any item in them (the API server still holds them), on any patch",
			Check: c.exact(func(env *lab.Env) shape {
				b := func() bool { return env.Rand.IntN(2) == 0 }
				return shape{news: b(), deletes: b(), replace: env.Rand.IntN(5) == 0, merges: b(), nulls: b(), inOrder: b()}
			})},
	}}
}

type checker struct{ merge MergeFunc }

// call runs the student's MergeList on in, and fails if it is not
// written yet or changed its arguments.
func (c checker) call(in input) ([]any, error, error) {
	was := in.clone()
	got, err := c.merge(in.original, in.patch, in.key, mergeItem)
	if err != nil && strings.Contains(err.Error(), "not implemented") {
		return nil, nil, err
	}
	if in.snapshot() != was.snapshot() {
		return nil, nil, fmt.Errorf("MergeList(%s\n  ) changed its arguments to\n    original %s,\n    patch %s:\n  the API server still holds them, and a retried patch would start from the changed ones", was, renderList(in.original), renderList(in.patch))
	}
	return got, err, nil
}

// exact draws 10 inputs of the shape from the seed and holds MergeList's
// answer against the model's promises and then against the API server's
// own answer.
func (c checker) exact(shapeOf func(*lab.Env) shape) func(*lab.Env) error {
	return func(env *lab.Env) error {
		for range 10 {
			s := shapeOf(env)
			in := generate(env.Rand, s)
			orig := in.clone()
			want, wantErr := expected(in)
			got, gotErr, fail := c.call(in)
			if fail != nil {
				return fail
			}
			call := fmt.Sprintf("MergeList(%s\n  )", orig)
			switch {
			case wantErr != nil && gotErr == nil:
				return fmt.Errorf("%s\n  = %s,\n  want an error, as the API server's: %v", call, renderList(got), wantErr)
			case wantErr == nil && gotErr != nil:
				return fmt.Errorf("%s\n  returned the error %q,\n  want %s", call, gotErr, renderList(want))
			case wantErr != nil:
				continue
			}
			if err := model(orig, got); err != nil {
				return fmt.Errorf("%s\n  = %s:\n  %v", call, renderList(got), err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				why := "the order differs from Kubernetes' rule (take original's next unnamed item only if the next named item is also in original and comes after it there)"
				if planOf(orig).replace {
					why = "with {\"$patch\": \"replace\"} the result is the patch's other items alone, each mergeItem(nil, item), in the patch's order"
				}
				return fmt.Errorf("%s\n  = %s,\n  want %s:\n  %s", call, renderList(got), renderList(want), why)
			}
		}
		return nil
	}
}
