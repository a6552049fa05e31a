package encryption

import (
	"bytes"
	"context"
	"testing"

	"pgregory.net/rapid"

	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/core/store/storetest"
)

// everyKeyIsASecret makes the conformance suite's keys ("/a/x") count as
// Secrets, so that every value it writes is encrypted.
func everyKeyIsASecret(string) (GroupResource, bool) { return GroupResource{Resource: "secrets"}, true }

// TestStoreConformance runs the store suite through the wrapper with each
// provider writing: encryption must change nothing a caller can see.
func TestStoreConformance(t *testing.T) {
	for _, kind := range []string{"aesgcm", "aescbc", "secretbox"} {
		t.Run(kind, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				tr := mustNew(t, config([]string{"secrets"}, keyed(kind, Key{"k", secret(32, 5)}), identityProvider), 11)
				tr.resolve = everyKeyIsASecret
				return NewStore(store.NewMemory(), tr)
			}, storetest.Options{})
		})
	}
}

// TestStoreHoldsCiphertext: what the wrapped store holds is encrypted,
// what callers get (Get, List, watch events and previous values, Delete's
// previous value) is plaintext, and a stale value is flagged.
func TestStoreHoldsCiphertext(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	k1, k2 := Key{"key1", secret(32, 1)}, Key{"key2", secret(32, 2)}
	s1 := NewStore(mem, mustNew(t, config([]string{"secrets"}, keyed("aesgcm", k1)), 1))
	w, err := s1.Watch(ctx, "/registry/secrets/", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.(notifier); !ok {
		t.Errorf("the watcher over a memory store lost OnReady: the simulator's loops need it")
	}
	if _, err := s1.Create(ctx, secretKey, []byte("v1-plain")); err != nil {
		t.Fatal(err)
	}
	kv, err := s1.Update(ctx, secretKey, []byte("v2-plain"), 0)
	if err != nil || string(kv.Value) != "v2-plain" {
		t.Fatalf("Update = %q, %v; want the plaintext back", kv.Value, err)
	}
	raw, _ := mem.Get(ctx, secretKey)
	if !bytes.HasPrefix(raw.Value, []byte("k8s:enc:aesgcm:v1:key1:")) || bytes.Contains(raw.Value, []byte("plain")) {
		t.Errorf("the wrapped store holds %q, want ciphertext", raw.Value)
	}
	l, err := s1.List(ctx, "/registry/secrets/", store.ListOptions{})
	if err != nil || len(l.KVs) != 1 || string(l.KVs[0].Value) != "v2-plain" {
		t.Errorf("List = %+v, %v; want the plaintext", l.KVs, err)
	}
	var evs []string
	for ev, ok := w.Next(); ok; ev, ok = w.Next() {
		s := ev.Type.String() + " " + string(ev.KV.Value)
		if ev.Prev != nil {
			s += " prev " + string(ev.Prev.Value)
		}
		evs = append(evs, s)
	}
	if want := "PUT v1-plain|PUT v2-plain prev v1-plain"; joinBar(evs) != want {
		t.Errorf("watch events = %q, want %q", joinBar(evs), want)
	}

	// Rotated: key2 first. The old value reads, stale; a rewrite is not.
	s2 := NewStore(mem, mustNew(t, config([]string{"secrets"}, keyed("aesgcm", k2, k1)), 2))
	kv, err = s2.Get(ctx, secretKey)
	if err != nil || string(kv.Value) != "v2-plain" || !kv.Stale {
		t.Errorf("Get after rotation = %q, stale %v, %v; want the plaintext, stale", kv.Value, kv.Stale, err)
	}
	if _, err := s2.Update(ctx, secretKey, kv.Value, kv.ModRevision); err != nil {
		t.Fatal(err)
	}
	if kv, err = s2.Get(ctx, secretKey); err != nil || kv.Stale {
		t.Errorf("Get after the rewrite: stale %v, %v; want fresh", kv.Stale, err)
	}
	// The old configuration cannot read it: Get fails, the watch ends.
	if _, err := s1.Get(ctx, secretKey); err == nil {
		t.Errorf("Get with only key1 of a value written with key2 = nil error")
	}
	if _, ok := w.Next(); ok || w.Err() == nil {
		t.Errorf("watch with only key1 after a key2 write: Err = %v, want the watch ended with an error", w.Err())
	}
	prev, _, err := s2.Delete(ctx, secretKey, 0)
	if err != nil || string(prev.Value) != "v2-plain" {
		t.Errorf("Delete = %q, %v; want the plaintext of the last value", prev.Value, err)
	}
}

func joinBar(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(s)
	}
	return b.String()
}

// TestPropertyRoundTrip: any value round-trips through any provider, and
// the stored form never contains it.
func TestPropertyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		kind := rapid.SampledFrom([]string{"aesgcm", "aescbc", "secretbox"}).Draw(t, "kind")
		size := 32
		if kind != "secretbox" {
			size = rapid.SampledFrom([]int{16, 24, 32}).Draw(t, "size")
		}
		keyByte := rapid.Byte().Draw(t, "key")
		tr, err := New(config([]string{"secrets"}, keyed(kind, Key{"k", secret(size, keyByte)})), seeded(rapid.Byte().Draw(t, "seed")))
		if err != nil {
			t.Fatal(err)
		}
		value := rapid.SliceOfN(rapid.Byte(), 0, 4096).Draw(t, "value")
		enc, err := tr.Encrypt(secretKey, value)
		if err != nil {
			t.Fatal(err)
		}
		if len(value) >= 8 && bytes.Contains(enc, value) {
			t.Fatalf("Encrypt(%q) = %q contains the plaintext", value, enc)
		}
		got, stale, err := tr.Decrypt(secretKey, enc)
		if err != nil || stale || !bytes.Equal(got, value) {
			t.Fatalf("Decrypt(Encrypt(%q)) = %q, %v, %v; want the value", value, got, stale, err)
		}
	})
}
