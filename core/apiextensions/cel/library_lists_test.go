package cel

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// TestListsLibraryAgreesWithGo: for any list of small integers, isSorted,
// sum, min, max, indexOf and lastIndexOf say what Go's slices package says.
func TestListsLibraryAgreesWithGo(t *testing.T) {
	rules := `[
		{"rule":"self.nums.isSorted()","message":"unsorted"},
		{"rule":"self.nums.sum() == self.replicas","message":"sum"},
		{"rule":"self.nums.size() == 0 || (self.nums.min() == self.minReplicas && self.nums.max() == self.maxReplicas)","message":"minmax"},
		{"rule":"self.nums.indexOf(3) == self.nums.lastIndexOf(3)","message":"one or no 3"}]`
	r, errs := Compile(mustSchema(t, testSchema(t, rules)), "s")
	if errs != nil {
		t.Fatalf("Compile = %v", errs)
	}
	rapid.Check(t, func(t *rapid.T) {
		nums := rapid.SliceOfN(rapid.IntRange(-5, 5), 0, 8).Draw(t, "nums")
		var sum, lo, hi int
		jn := make([]any, len(nums))
		for i, n := range nums {
			sum += n
			jn[i] = json.Number(strconv.Itoa(n))
		}
		if len(nums) > 0 {
			lo, hi = slices.Min(nums), slices.Max(nums)
		}
		var want []string
		if !slices.IsSorted(nums) {
			want = append(want, "unsorted")
		}
		if slices.Index(nums, 3) != lastIndex(nums, 3) {
			want = append(want, "one or no 3")
		}
		obj := map[string]any{"spec": map[string]any{"nums": jn, "replicas": json.Number(strconv.Itoa(sum)),
			"minReplicas": json.Number(strconv.Itoa(lo)), "maxReplicas": json.Number(strconv.Itoa(hi))}}
		var got []string
		for _, e := range r.Validate(obj, nil) {
			got = append(got, e.Detail)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Validate(nums %v) failed rules %v, want %v", nums, got, want)
		}
	})
}

// lastIndex is slices.Index from the end.
func lastIndex(s []int, v int) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func TestEscapeProperty(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"replicas", "replicas", true},
		{"namespace", "__namespace__", true},
		{"x-kubernetes.io/name", "x__dash__kubernetes__dot__io__slash__name", true},
		{"a__b", "a__underscores__b", true},
		{"_a", "_a", true},
		{"1abc", "", false},
		{"", "", false},
		{"a b", "", false},
		{"café", "", false},
	}
	for _, tt := range tests {
		got, ok := escapeProperty(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("escapeProperty(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
