// Lab 14: your code goes in this file (labs/14-strategic-patch/README.md);
// the contract comment below is the specification.

package student

import (
	"errors"
)

// MergeList merges patch into original, two lists of JSON objects (decoded
// as map[string]any) whose items are identified by the value of their
// field key: containers by "name", ports by "containerPort", conditions by
// "type". A key's value is a string or a json.Number; compare with ==.
//
// Contract:
//   - an item {"$patch": "replace"} in patch makes the result the other
//     items of patch, each as mergeItem(nil, item), in patch's order;
//     original is dropped;
//   - an item with "$patch": "delete" removes EVERY original item whose
//     key has the same value; it needs the key;
//   - "$patch": "merge" is the default: such an item is merged like any
//     other, without its "$patch" field; any other "$patch" value is an
//     error;
//   - every other patch item needs the key. If an item of original has the
//     same key value, mergeItem(thatItem, patchItem) takes its place;
//     otherwise mergeItem(nil, patchItem) is a new item. mergeItem applies
//     the item type's own strategies (a null deletes a field …); an error
//     from it is MergeList's error;
//   - order: let N be the items the patch names (merged or new), in the
//     patch's order, and S the items of original the patch neither names
//     nor deletes, in original's order. Build the result by taking, again
//     and again, the head of S or of N: S's head if N's head is also an
//     item of original and comes after S's head there; otherwise N's head.
//     When one runs out, the rest of the other follows. So a patch that
//     names existing items in original's order keeps that order, and a new
//     item comes before the unnamed items that follow it;
//   - an error says what was wrong (a missing key, an unknown directive);
//     MergeList never modifies original, patch, or any item in them.
func MergeList(original, patch []any, key string, mergeItem func(orig, patch map[string]any) (map[string]any, error)) ([]any, error) {
	// LAB 14: your code here
	return nil, errors.New(`MergeList is not implemented yet: write it in labs/14-strategic-patch/student/merge.go, below "LAB 14: your code here"`)
}
