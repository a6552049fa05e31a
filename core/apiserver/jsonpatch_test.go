package apiserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
)

func TestJSONPatchOperations(t *testing.T) {
	doc := `{"a":{"b":[1,2,3]},"c":"x"}`
	tests := []struct {
		name, patch, want string
	}{
		{"add to object", `[{"op":"add","path":"/d","value":true}]`, `{"a":{"b":[1,2,3]},"c":"x","d":true}`},
		{"add into list", `[{"op":"add","path":"/a/b/1","value":9}]`, `{"a":{"b":[1,9,2,3]},"c":"x"}`},
		{"append to list", `[{"op":"add","path":"/a/b/-","value":9}]`, `{"a":{"b":[1,2,3,9]},"c":"x"}`},
		{"remove from list", `[{"op":"remove","path":"/a/b/0"}]`, `{"a":{"b":[2,3]},"c":"x"}`},
		{"replace", `[{"op":"replace","path":"/c","value":"y"}]`, `{"a":{"b":[1,2,3]},"c":"y"}`},
		{"replace root", `[{"op":"replace","path":"","value":{"z":1}}]`, `{"z":1}`},
		{"move", `[{"op":"move","from":"/c","path":"/a/c"}]`, `{"a":{"b":[1,2,3],"c":"x"}}`},
		{"copy", `[{"op":"copy","from":"/a/b","path":"/e"},{"op":"add","path":"/e/-","value":4}]`, `{"a":{"b":[1,2,3]},"c":"x","e":[1,2,3,4]}`},
		{"test passes", `[{"op":"test","path":"/a","value":{"b":[1,2,3.0]}}]`, doc},
		{"escaped pointer", `[{"op":"add","path":"/a~1b~0","value":1}]`, `{"a":{"b":[1,2,3]},"a/b~":1,"c":"x"}`},
	}
	for _, tc := range tests {
		got, err := jsonPatch([]byte(doc), []byte(tc.patch))
		if err != nil {
			t.Errorf("%s: jsonPatch(%s) = %v, want %s", tc.name, tc.patch, err, tc.want)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s: jsonPatch(%s) = %s, want %s", tc.name, tc.patch, got, tc.want)
		}
	}
}

// bombPatch returns a JSON patch that adds a value of n bytes and then
// doubles the document copies times: the 1 KB patch that asked for a
// gigabyte.
func bombPatch(n, copies int) string {
	ops := []string{fmt.Sprintf(`{"op":"add","path":"/x","value":%q}`, strings.Repeat("a", n))}
	for i := 0; i < copies; i++ {
		ops = append(ops, fmt.Sprintf(`{"op":"copy","from":"","path":"/y%d"}`, i))
	}
	return "[" + strings.Join(ops, ",") + "]"
}

func TestJSONPatchBounds(t *testing.T) {
	many := "[" + strings.Repeat(`{"op":"test","path":"","value":{}},`, maxJSONPatchOperations) + `{"op":"test","path":"","value":{}}]`
	deepList := `{"l":[` + strings.Repeat(`0,`, 100_000) + `0]}`
	tests := []struct {
		name, doc, patch string
		code             int32
		want             string // in the message
	}{
		{"copy bomb", `{}`, bombPatch(100, 20), 422, "operation 15 (copy /y14): Unable to complete the copy"},
		{"add past the size limit", `{}`, `[{"op":"add","path":"/a","value":"` + strings.Repeat("a", 2<<20) + `"},{"op":"copy","from":"/a","path":"/b"}]`, 422, "operation 1 (copy /b): the patched object would be larger than 3145728 bytes"},
		{"too many operations", `{}`, many, 413, "The allowed maximum operations in a JSON patch is 10000, got 10001"},
		{"long path", `{}`, `[{"op":"add","path":"` + strings.Repeat("/a", 100_000) + `","value":1}]`, 422, `no field "a"`},
		{"inserts at the head of a long list", deepList, "[" + strings.Repeat(`{"op":"add","path":"/l/0","value":0},`, 9999) + `{"op":"add","path":"/l/0","value":0}]`, 422, "does more work"},
		{"test fails", `{"a":1}`, `[{"op":"test","path":"/a","value":2}]`, 422, "operation 0 (test /a)"},
		{"move into itself", `{"a":{}}`, `[{"op":"move","from":"/a","path":"/a/b"}]`, 422, "into itself"},
	}
	for _, tc := range tests {
		_, err := jsonPatch([]byte(tc.doc), []byte(tc.patch))
		var se *api.StatusError
		if !errors.As(err, &se) {
			t.Errorf("%s: jsonPatch = %v, want a %d", tc.name, err, tc.code)
			continue
		}
		if se.Status.Code != tc.code || !strings.Contains(se.Status.Message, tc.want) {
			t.Errorf("%s: jsonPatch = %d %q, want %d containing %q", tc.name, se.Status.Code, se.Status.Message, tc.code, tc.want)
		}
	}
}

func TestJSONSize(t *testing.T) {
	for _, doc := range []string{`{}`, `[]`, `{"a":[1,2.5,"x<>&\"\\\n"],"b":{"c":null,"d":true,"e":false}}`, `"é"`} {
		v, err := decodeJSON([]byte(doc), "test")
		if err != nil {
			t.Fatal(err)
		}
		enc, _ := json.Marshal(v)
		if n, _ := jsonSize(v, -1); n != len(enc) {
			t.Errorf("jsonSize(%s) = %d, want %d (%s)", doc, n, len(enc), enc)
		}
	}
}
