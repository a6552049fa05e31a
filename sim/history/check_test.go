package history

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A tiny language for synthetic histories of ConfigMaps in "default":
// each operation names its process, its call and return (sequence numbers,
// which are also its instants in milliseconds) and its answer.

const cmPath = "/api/v1/namespaces/default/configmaps"

type span struct{ call, ret int64 }

func op(proc string, s span, method, path, body string, code int, answer string) Op {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return Op{Process: proc, CallSeq: s.call, ReturnSeq: s.ret,
		Call: t0.Add(time.Duration(s.call) * time.Millisecond), Return: t0.Add(time.Duration(s.ret) * time.Millisecond),
		Method: method, Path: path, Body: []byte(body), ContentType: "application/json", Code: code, Answer: []byte(answer)}
}

func obj(name string, rv int64, extra string) string {
	return fmt.Sprintf(`{"kind":"ConfigMap","metadata":{"name":%q,"resourceVersion":"%d"%s}}`, name, rv, extra)
}

func status(code int, reason string) string {
	return fmt.Sprintf(`{"kind":"Status","status":"Failure","reason":%q,"code":%d}`, reason, code)
}

func create(proc string, s span, name string, code int, rv int64) Op {
	ans := obj(name, rv, "")
	if code != 201 {
		ans = status(code, "AlreadyExists")
	}
	return op(proc, s, "POST", cmPath, fmt.Sprintf(`{"metadata":{"name":%q}}`, name), code, ans)
}

func get(proc string, s span, name string, code int, rv int64) Op {
	ans := obj(name, rv, "")
	if code != 200 {
		ans = status(code, "NotFound")
	}
	return op(proc, s, "GET", cmPath+"/"+name, "", code, ans)
}

// update PUTs name with precondition pre (0: none).
func update(proc string, s span, name string, pre int64, code int, rv int64) Op {
	body := fmt.Sprintf(`{"metadata":{"name":%q}}`, name)
	if pre != 0 {
		body = fmt.Sprintf(`{"metadata":{"name":%q,"resourceVersion":"%d"}}`, name, pre)
	}
	ans := obj(name, rv, "")
	switch code {
	case 409:
		ans = status(code, "Conflict")
	case 404:
		ans = status(code, "NotFound")
	}
	return op(proc, s, "PUT", cmPath+"/"+name, body, code, ans)
}

// del DELETEs name; answer is the object answered (200) or a Status.
func del(proc string, s span, name string, code int, answer string) Op {
	return op(proc, s, "DELETE", cmPath+"/"+name, "", code, answer)
}

// withAnswer replaces the answer of o.
func withAnswer(o Op, answer string) Op {
	o.Answer = []byte(answer)
	return o
}

func lost(o Op) Op {
	o.Unknown, o.Err, o.Code, o.Answer = true, "request timed out (simulated network)", 0, nil
	return o
}

func TestCheckSyntheticHistories(t *testing.T) {
	marked := `,"deletionTimestamp":"2030-01-01T00:00:01Z","finalizers":["example.com/keep"]`
	unmarked := `,"deletionTimestamp":"2030-01-01T00:00:01Z"`
	tests := []struct {
		name string
		h    []Op
		// wantKey is the object reported, "" for a linearizable history;
		// wantOp the operation index the explanation must blame.
		wantKey string
		wantOp  int
	}{
		{name: "valid: writes, reads, conflicts, delete and re-create", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			get("c1", span{3, 4}, "a", 200, 5),
			update("c0", span{5, 6}, "a", 5, 200, 7),
			update("c1", span{7, 8}, "a", 5, 409, 0),
			update("c1", span{9, 10}, "a", 7, 200, 7), // no change: same rv
			create("c2", span{11, 12}, "a", 409, 0),
			del("c1", span{13, 14}, "a", 200, obj("a", 9, "")),
			get("c0", span{15, 16}, "a", 404, 0),
			update("c0", span{17, 18}, "a", 0, 404, 0),
			create("c0", span{19, 20}, "a", 201, 11),
		}},
		{name: "stale read by a second reader after the first saw the write", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c0", span{3, 8}, "a", 0, 200, 7),
			get("c1", span{4, 5}, "a", 200, 7),
			get("c2", span{6, 7}, "a", 200, 5), // called after c1 saw 7: 5 is stale
		}, wantKey: "default/configmaps/a", wantOp: 3},
		{name: "valid: concurrent reads on both sides of a write", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c0", span{3, 8}, "a", 0, 200, 7),
			get("c2", span{4, 5}, "a", 200, 5),
			get("c1", span{6, 7}, "a", 200, 7),
		}},
		{name: "valid: a lost write that took effect, and one that did not", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			lost(update("c0", span{3, 4}, "a", 0, 0, 0)),
			get("c1", span{5, 6}, "a", 200, 9),
			lost(update("c0", span{7, 8}, "a", 9, 0, 0)),
			get("c1", span{9, 10}, "a", 200, 9),
			lost(create("c2", span{11, 12}, "b", 0, 0)),
			get("c1", span{13, 14}, "b", 404, 0),
		}},
		{name: "valid: finalizers make a delete an update; the last one going removes", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			del("c1", span{3, 4}, "a", 200, obj("a", 7, marked)),
			withAnswer(get("c0", span{5, 6}, "a", 200, 7), obj("a", 7, marked)),
			del("c1", span{7, 8}, "a", 200, obj("a", 7, marked)),                         // already marked: no write
			withAnswer(update("c2", span{9, 10}, "a", 7, 200, 9), obj("a", 9, unmarked)), // last finalizer gone: removed
			get("c0", span{11, 12}, "a", 404, 0),
		}},
		{name: "lost write: an acknowledged create vanishes", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			get("c1", span{3, 4}, "a", 404, 0),
		}, wantKey: "default/configmaps/a", wantOp: 1},
		{name: "stale read after a newer acknowledged write", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c0", span{3, 4}, "a", 5, 200, 7),
			get("c1", span{5, 6}, "a", 200, 5),
		}, wantKey: "default/configmaps/a", wantOp: 2},
		{name: "two creates both acknowledged", h: []Op{
			create("c0", span{1, 2}, "b", 201, 4),
			create("c0", span{3, 4}, "a", 201, 5),
			create("c1", span{5, 6}, "a", 201, 6),
		}, wantKey: "default/configmaps/a", wantOp: 2},
		{name: "an update acknowledged with a stale precondition", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c0", span{3, 4}, "a", 5, 200, 7),
			update("c1", span{5, 6}, "a", 5, 200, 9),
		}, wantKey: "default/configmaps/a", wantOp: 2},
		{name: "a conflict without a stale precondition", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c1", span{3, 4}, "a", 5, 409, 0),
		}, wantKey: "default/configmaps/a", wantOp: 1},
		{name: "a write whose resourceVersion goes back", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c1", span{3, 4}, "a", 0, 200, 3),
		}, wantKey: "default/configmaps/a", wantOp: 1},
		{name: "a delete acknowledged, then the object read back", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			del("c1", span{3, 4}, "a", 200, obj("a", 7, "")),
			get("c0", span{5, 6}, "a", 200, 5),
		}, wantKey: "default/configmaps/a", wantOp: 2},
		{name: "a lost update with a stale precondition cannot explain a new version", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			update("c0", span{3, 4}, "a", 5, 200, 7),
			lost(update("c1", span{5, 6}, "a", 5, 0, 0)),
			get("c2", span{7, 8}, "a", 200, 9),
		}, wantKey: "default/configmaps/a", wantOp: 3},
		{name: "a marked object read back unmarked", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			del("c1", span{3, 4}, "a", 200, obj("a", 7, marked)),
			get("c0", span{5, 6}, "a", 200, 7),
		}, wantKey: "default/configmaps/a", wantOp: 2},
		{name: "an update that removes an object never marked", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			withAnswer(update("c2", span{3, 4}, "a", 0, 200, 9), obj("a", 9, unmarked)),
		}, wantKey: "default/configmaps/a", wantOp: 1},
		{name: "a lost write seen, then unseen", h: []Op{
			create("c0", span{1, 2}, "a", 201, 5),
			lost(update("c0", span{3, 4}, "a", 0, 0, 0)),
			get("c1", span{5, 6}, "a", 200, 9),
			get("c1", span{7, 8}, "a", 200, 5),
		}, wantKey: "default/configmaps/a", wantOp: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(tt.h, Options{})
			if tt.wantKey == "" {
				if !r.Ok {
					t.Fatalf("Check = not linearizable, want linearizable:\n%s", r)
				}
				return
			}
			if r.Ok || r.Unknown {
				t.Fatalf("Check = %s, want a violation on %s", r, tt.wantKey)
			}
			if r.Key != tt.wantKey {
				t.Errorf("Check blames %s, want %s:\n%s", r.Key, tt.wantKey, r)
			}
			want := fmt.Sprintf("First unexplainable: #%d ", tt.wantOp)
			if !strings.Contains(r.Explanation, want) {
				t.Errorf("explanation does not blame #%d:\n%s", tt.wantOp, r.Explanation)
			}
		})
	}
}

// A history that starts after objects were written is judged with
// Incomplete: the first read may find an object never created here.
func TestCheckIncomplete(t *testing.T) {
	h := []Op{get("c0", span{1, 2}, "a", 200, 5), update("c0", span{3, 4}, "a", 5, 200, 7)}
	if r := Check(h, Options{}); r.Ok {
		t.Errorf("complete history: a read of an object never created passed: %s", r)
	}
	if r := Check(h, Options{Incomplete: true}); !r.Ok {
		t.Errorf("incomplete history: %s", r)
	}
}

// Calls the model does not judge are counted, not checked.
func TestCheckExcludes(t *testing.T) {
	h := []Op{
		create("c0", span{1, 2}, "a", 201, 5),
		op("c0", span{3, 4}, "GET", cmPath, "", 200, `{"items":[]}`),
		op("c0", span{5, 6}, "GET", cmPath+"/a", "", 200, obj("a", 3, "")),
		op("c0", span{7, 8}, "GET", "/version", "", 200, `{}`),
	}
	h[2].Query = map[string][]string{"resourceVersion": {"0"}}
	r := Check(h, Options{})
	if !r.Ok || r.Ops != 1 || r.Excluded["list"] != 1 || r.Excluded["read at a resourceVersion"] != 1 || r.Excluded["not an object"] != 1 {
		t.Errorf("Check = %s; want 1 operation judged, a list, a read at a resourceVersion and a non-object excluded", r)
	}
}

// The visualization is written where asked, for a violation and for a
// linearizable history.
func TestCheckVisualize(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		h    []Op
	}{
		{"bad", []Op{create("c0", span{1, 2}, "a", 201, 5), get("c1", span{3, 4}, "a", 404, 0)}},
		{"good", []Op{create("c0", span{1, 2}, "a", 201, 5), get("c1", span{3, 4}, "a", 200, 5)}},
	} {
		path := filepath.Join(dir, tc.name+".html")
		r := Check(tc.h, Options{Visualize: path})
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (%s)", tc.name, err, r)
		}
		if !strings.Contains(string(b), "c1: get") {
			t.Errorf("%s: the visualization does not describe the operations", tc.name)
		}
	}
}

// Every answer that shows an object at one resourceVersion shows the same
// object, lists included; field order does not matter.
func TestCheckVersions(t *testing.T) {
	withData := func(o Op, rv int64, v string) Op {
		return withAnswer(o, fmt.Sprintf(`{"kind":"ConfigMap","metadata":{"name":"a","namespace":"default","resourceVersion":"%d"},"data":{"k":%q}}`, rv, v))
	}
	list := func(s span, items string) Op {
		return op("c2", s, "GET", cmPath, "", 200, `{"kind":"ConfigMapList","metadata":{"resourceVersion":"9"},"items":[`+items+`]}`)
	}
	tests := []struct {
		name, want string
		h          []Op
	}{
		{name: "the same version, fields in another order", h: []Op{
			withData(create("c0", span{1, 2}, "a", 201, 5), 5, "x"),
			withAnswer(get("c1", span{3, 4}, "a", 200, 5), `{"data":{"k":"x"},"metadata":{"resourceVersion":"5","namespace":"default","name":"a"}}`),
			list(span{5, 6}, `{"metadata":{"name":"a","namespace":"default","resourceVersion":"5"},"data":{"k":"x"}}`),
		}},
		{name: "a read shows other contents at the version written", want: "data.k", h: []Op{
			withData(create("c0", span{1, 2}, "a", 201, 5), 5, "x"),
			withData(get("c1", span{3, 4}, "a", 200, 5), 5, "y"),
		}},
		{name: "a list item shows other contents at a version read", want: "metadata.labels", h: []Op{
			withData(create("c0", span{1, 2}, "a", 201, 5), 5, "x"),
			list(span{5, 6}, `{"metadata":{"name":"a","namespace":"default","resourceVersion":"5","labels":{"l":"v"}},"data":{"k":"x"}}`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Check(tt.h, Options{})
			if tt.want == "" {
				if !r.Ok {
					t.Fatalf("Check = %s, want linearizable", r)
				}
				return
			}
			if r.Ok || r.Key != "default/configmaps/a" || !strings.Contains(r.Explanation, "first difference at "+tt.want) {
				t.Fatalf("Check = %s\nwant a violation on default/configmaps/a, first difference at %s", r, tt.want)
			}
		})
	}
}

// The explanation lists the operation it blames even when many others
// ran meanwhile, and stays short.
func TestExplanationShowsTheCulprit(t *testing.T) {
	h := []Op{create("c0", span{1, 2}, "a", 201, 5)}
	for i := int64(0); i < 40; i++ {
		h = append(h, get("c1", span{10 + 2*i, 11 + 2*i}, "a", 200, 5))
	}
	// A long delete acknowledged while the object kept being read, then
	// read back after it returned.
	h = append(h, del("c2", span{5, 200}, "a", 200, obj("a", 9, "")), get("c1", span{201, 202}, "a", 200, 5))
	r := Check(h, Options{})
	if r.Ok {
		t.Fatalf("a read after an acknowledged delete passed: %s", r)
	}
	if !strings.Contains(r.Explanation, "<-- cannot be placed") || !strings.Contains(r.Explanation, "#41 ") {
		t.Errorf("the explanation does not show the read it blames and the delete before it (#41):\n%s", r.Explanation)
	}
	if n := strings.Count(r.Explanation, "\n"); n > maxShown+5 {
		t.Errorf("the explanation has %d lines, want at most %d:\n%s", n, maxShown+5, r.Explanation)
	}
}

func evict(proc string, s span, name string, code int) Op {
	ans := `{"kind":"Status","status":"Success","code":201}`
	switch code {
	case 404:
		ans = status(code, "NotFound")
	case 429:
		ans = status(code, "TooManyRequests")
	}
	return op(proc, s, "POST", podPath+"/"+name+"/eviction", `{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"`+name+`"}}`, code, ans)
}

func getPod(proc string, s span, name string, code int, rv int64, extra string) Op {
	ans := fmt.Sprintf(`{"kind":"Pod","metadata":{"name":%q,"resourceVersion":"%d"%s}}`, name, rv, extra)
	if code != 200 {
		ans = status(code, "NotFound")
	}
	return op(proc, s, "GET", podPath+"/"+name, "", code, ans)
}

func createPod(proc string, s span, name string, rv int64) Op {
	return op(proc, s, "POST", podPath, fmt.Sprintf(`{"metadata":{"name":%q}}`, name), 201,
		fmt.Sprintf(`{"kind":"Pod","metadata":{"name":%q,"resourceVersion":"%d"}}`, name, rv))
}

// Evictions are judged as deletes that a budget may refuse.
func TestCheckEvictions(t *testing.T) {
	marked := `,"deletionTimestamp":"2030-01-01T00:00:01Z","deletionGracePeriodSeconds":30`
	tests := []struct {
		name    string
		h       []Op
		wantKey string
	}{
		{name: "valid: refused, then evicted and marked, then gone", h: []Op{
			createPod("c0", span{1, 2}, "p", 5),
			evict("drain", span{3, 4}, "p", 429),
			evict("drain", span{5, 6}, "p", 201),
			getPod("c1", span{7, 8}, "p", 200, 9, marked),
			evict("drain", span{9, 10}, "p", 201), // already being deleted: nothing written
			getPod("c1", span{11, 12}, "p", 200, 9, marked),
			// The kubelet removes it once the container stopped.
			op("kubelet", span{13, 14}, "DELETE", podPath+"/p", `{"gracePeriodSeconds":0}`, 200,
				fmt.Sprintf(`{"kind":"Pod","metadata":{"name":"p","resourceVersion":"11"%s}}`, marked)),
			getPod("c1", span{15, 16}, "p", 404, 0, ""),
			evict("drain", span{17, 18}, "p", 404),
		}},
		{name: "an eviction acknowledged that changed nothing", h: []Op{
			createPod("c0", span{1, 2}, "p", 5),
			evict("drain", span{3, 4}, "p", 201),
			getPod("c1", span{5, 6}, "p", 200, 5, ""),
		}, wantKey: "default/pods/p"},
		{name: "an eviction of a pod that is not there", h: []Op{
			evict("drain", span{1, 2}, "p", 201),
		}, wantKey: "default/pods/p"},
		{name: "a budget's refusal for a pod that is not there", h: []Op{
			createPod("c0", span{1, 2}, "p", 5),
			evict("drain", span{3, 4}, "p", 201),
			getPod("c1", span{5, 6}, "p", 404, 0, ""),
			evict("drain", span{7, 8}, "p", 429),
		}, wantKey: "default/pods/p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Check(tt.h, Options{})
			got := ""
			if !res.Ok {
				got = res.Key
			}
			if got != tt.wantKey {
				t.Errorf("violation on %q, want %q\n%s", got, tt.wantKey, res.Explanation)
			}
		})
	}
}
