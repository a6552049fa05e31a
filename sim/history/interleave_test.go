package history

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// interleaving is a store that runs a function in the middle of an API
// call: at the nth read of a key, before answering it. It places another
// client's call exactly between two steps of one request, which the
// simulator (whose calls are atomic) cannot do.
type interleaving struct {
	*store.Memory
	key   string
	n     int
	reads int
	then  func()
}

func (s *interleaving) Get(ctx context.Context, key string) (store.KeyValue, error) {
	if key == s.key && s.then != nil {
		s.reads++
		if s.reads == s.n {
			f := s.then
			s.then = nil
			f()
		}
	}
	return s.Memory.Get(ctx, key)
}

// A delete with a resourceVersion precondition of an object with a
// finalizer only marks it. If another client writes the object between
// the delete's check of the precondition and its mark, the delete must
// fail (409: the precondition no longer holds) or the history shows a
// delete acknowledged against a version it did not name. Either the server
// refuses, or the checker catches it.
func TestDeleteWithPreconditionRacingAWrite(t *testing.T) {
	st := &interleaving{Memory: store.NewMemory(), key: "/registry/configmaps/default/a", n: 2}
	api := apiserver.New(apiserver.Config{Store: st, Clock: wallClock{}, Rand: rand.New(rand.NewPCG(1, 2)), Version: "test"})
	if err := api.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	var seq int64
	rec := NewRecorder(func() time.Time { seq++; return time.Unix(0, seq*int64(time.Millisecond)) })
	c0 := client.New(rec.Wrap("c0", client.Local(api.Handle)))
	c1 := client.New(rec.Wrap("c1", client.Local(api.Handle)))
	ctx := context.Background()
	created, err := c0.Do(ctx, &rest.Request{Method: http.MethodPost, Path: cmPath, ContentType: rest.ContentJSON,
		Body: []byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","finalizers":["example.com/keep"]},"data":{"k":"1"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	var m answerMeta
	if err := json.Unmarshal(created.Body, &m); err != nil {
		t.Fatal(err)
	}
	st.reads = 0
	st.then = func() {
		// c1 changes the object after the delete read it.
		if _, err := c1.Do(ctx, &rest.Request{Method: http.MethodPatch, Path: cmPath + "/a", ContentType: rest.ContentMergePatch, Body: []byte(`{"data":{"k":"2"}}`)}); err != nil {
			t.Errorf("the interleaved patch failed: %v", err)
		}
	}
	_, delErr := c0.Do(ctx, &rest.Request{Method: http.MethodDelete, Path: cmPath + "/a",
		Body: []byte(fmt.Sprintf(`{"apiVersion":"v1","kind":"DeleteOptions","preconditions":{"resourceVersion":%q}}`, m.Metadata.ResourceVersion))})
	if st.then != nil {
		t.Fatal("the patch did not run inside the delete")
	}
	r := Check(rec.History(), Options{})
	// The server must refuse the delete (its precondition is stale by the
	// time it marks the object), and the history is then linearizable.
	if delErr == nil {
		t.Fatalf("the delete with precondition rv=%s was acknowledged after a concurrent write (checker: %v)", m.Metadata.ResourceVersion, r.Ok)
	}
	if !r.Ok {
		t.Fatalf("the server refused the delete (%v), yet the history is judged not linearizable:\n%s", delErr, r)
	}
}
