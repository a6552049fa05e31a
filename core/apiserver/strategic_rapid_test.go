package apiserver

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestMergeListModel checks mergeList, the list step of strategic merge
// patch, against a small model: lists of {"k": key, "v": value, "w": …}
// items and patches that merge or delete by key.
//
//   - an item the patch does not name keeps its value, and such items keep
//     their relative order;
//   - an item the patch deletes is gone, and only those;
//   - an item the patch merges has the original's fields with the patch's
//     on top; a new item is the patch item;
//   - the named items come in the patch's order;
//   - when every named item was in the original and the patch names them
//     in the original's order, the result keeps the original's order;
//   - $setElementOrder that lists every item gives exactly its order.
func TestMergeListModel(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e", "f"}
	rapid.Check(t, func(t *rapid.T) {
		origKeys := rapid.SliceOfNDistinct(rapid.SampledFrom(keys), 0, 6, rapid.ID[string]).Draw(t, "orig")
		var orig []any
		for _, k := range origKeys {
			orig = append(orig, map[string]any{"k": k, "v": "old-" + k, "w": "keep-" + k})
		}
		patchKeys := rapid.SliceOfNDistinct(rapid.SampledFrom(keys), 0, 6, rapid.ID[string]).Draw(t, "patch")
		var patch []any
		deleted := map[string]bool{}
		named := []string{}
		for _, k := range patchKeys {
			if slices.Contains(origKeys, k) && rapid.Bool().Draw(t, "delete "+k) {
				patch = append(patch, map[string]any{"k": k, directiveMarker: "delete"})
				deleted[k] = true
				continue
			}
			patch = append(patch, map[string]any{"k": k, "v": "new-" + k})
			named = append(named, k)
		}
		before := jsonKey(orig) + jsonKey(patch)

		got, err := mergeList(orig, patch, "k", plainMerge)
		if err != nil {
			t.Fatalf("mergeList: %v", err)
		}
		if after := jsonKey(orig) + jsonKey(patch); after != before {
			t.Fatalf("mergeList changed its arguments")
		}
		gotKeys := []string{}
		byKey := map[string]map[string]any{}
		for _, g := range got {
			m := g.(map[string]any)
			gotKeys = append(gotKeys, m["k"].(string))
			byKey[m["k"].(string)] = m
		}

		// The set of items.
		var wantSet []string
		for _, k := range origKeys {
			if !deleted[k] {
				wantSet = append(wantSet, k)
			}
		}
		for _, k := range named {
			if !slices.Contains(origKeys, k) {
				wantSet = append(wantSet, k)
			}
		}
		if diff := diffE(sorted(wantSet), sorted(gotKeys)); diff != "" {
			t.Fatalf("items (-want +got):\n%s\ngot order %v", diff, gotKeys)
		}
		// Values.
		for _, k := range gotKeys {
			want := map[string]any{"k": k, "v": "old-" + k, "w": "keep-" + k}
			if slices.Contains(named, k) {
				want["v"] = "new-" + k
				if !slices.Contains(origKeys, k) {
					delete(want, "w")
				}
			}
			if diff := diffE(want, byKey[k]); diff != "" {
				t.Fatalf("item %s (-want +got):\n%s", k, diff)
			}
		}
		// Orders.
		untouched := keepIf(origKeys, func(k string) bool { return !deleted[k] && !slices.Contains(named, k) })
		if diff := diffE(untouched, keepIf(gotKeys, func(k string) bool { return slices.Contains(untouched, k) })); diff != "" {
			t.Fatalf("untouched items lost their order (-want +got):\n%s\ngot %v", diff, gotKeys)
		}
		if diff := diffE(named, keepIf(gotKeys, func(k string) bool { return slices.Contains(named, k) })); diff != "" {
			t.Fatalf("named items not in the patch's order (-want +got):\n%s\ngot %v", diff, gotKeys)
		}
		if allIn(named, origKeys) && slices.Equal(named, keepIf(origKeys, func(k string) bool { return slices.Contains(named, k) })) {
			if diff := diffE(keepIf(origKeys, func(k string) bool { return !deleted[k] }), gotKeys); diff != "" {
				t.Fatalf("a patch in the original's order changed the order (-want +got):\n%s", diff)
			}
		}

		// $setElementOrder listing every item fixes the order exactly.
		full := rapid.Permutation(gotKeys).Draw(t, "setElementOrder")
		var order []any
		for _, k := range full {
			order = append(order, map[string]any{"k": k})
		}
		// The patch list must follow the order list: sort named by it.
		var orderedPatch []any
		for _, k := range full {
			for _, p := range patch {
				if p.(map[string]any)["k"] == k && p.(map[string]any)[directiveMarker] == nil {
					orderedPatch = append(orderedPatch, p)
				}
			}
		}
		for _, p := range patch {
			if p.(map[string]any)[directiveMarker] != nil {
				orderedPatch = append(orderedPatch, p)
			}
		}
		o := map[string]any{"list": orig}
		p := map[string]any{"$setElementOrder/list": order, "list": orderedPatch}
		if orderedPatch == nil {
			delete(p, "list")
		}
		res, err := mergeObject(o, p, schemaOf(reflect.TypeOf(modelDoc{})), "")
		if err != nil {
			t.Fatalf("with $setElementOrder: %v", err)
		}
		ordered := []string{}
		list, _ := res["list"].([]any)
		for _, g := range list {
			ordered = append(ordered, g.(map[string]any)["k"].(string))
		}
		if diff := diffE(full, ordered); diff != "" && len(full) > 0 {
			t.Fatalf("$setElementOrder %v not kept (-want +got):\n%s", full, diff)
		}
	})
}

// modelDoc is the Go type of the document the model patches: one list
// merged by "k".
type modelDoc struct {
	List []struct {
		K string `json:"k"`
		V string `json:"v,omitempty"`
		W string `json:"w,omitempty"`
	} `json:"list" patchStrategy:"merge" patchMergeKey:"k"`
}

// plainMerge is the item merge the model uses: the patch's fields on top.
func plainMerge(o, p map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range o {
		out[k] = v
	}
	for k, v := range p {
		out[k] = v
	}
	return out, nil
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func keepIf(s []string, keep func(string) bool) []string {
	out := []string{}
	for _, x := range s {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func allIn(s, in []string) bool {
	for _, x := range s {
		if !slices.Contains(in, x) {
			return false
		}
	}
	return true
}

// FuzzStrategicMergePatch: no document and patch make the function panic,
// and a success is a JSON object.
func FuzzStrategicMergePatch(f *testing.F) {
	doc := `{"metadata":{"name":"p","finalizers":["a"]},"spec":{"containers":[{"name":"a","env":[{"name":"X"}]}],"volumes":[{"name":"v","emptyDir":{}}]}}`
	for _, p := range []string{
		`{"spec":{"containers":[{"name":"a","$patch":"delete"},{"$patch":"replace"}]}}`,
		`{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"b"}]}}`,
		`{"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"$setElementOrder/finalizers":["b"],"finalizers":["b"]}}`,
		`{"spec":{"volumes":[{"name":"v","$retainKeys":["name","hostPath"],"hostPath":{"path":"/"}}]}}`,
		`{"spec":{"containers":[[1]],"$patch":"merge"}}`,
		`{"spec":{"containers":{"name":"a"}}}`,
		`{"$patch":"replace"}`,
	} {
		f.Add([]byte(doc), []byte(p))
	}
	f.Fuzz(func(t *testing.T, doc, patch []byte) {
		out, err := strategicMergePatch(doc, patch, podType)
		if err != nil {
			return
		}
		if _, ok := mustDecodeBytes(out).(map[string]any); !ok {
			t.Fatalf("result %s is not a JSON object", out)
		}
	})
}

func mustDecodeBytes(b []byte) any {
	v, err := decodeJSON(b, "result")
	if err != nil {
		panic(fmt.Sprintf("result is not JSON: %v", err))
	}
	return v
}

// diffE is cmp.Diff with nil and empty lists equal.
func diffE(want, got any) string { return cmp.Diff(want, got, cmpopts.EquateEmpty()) }
