package encryption

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/store"
)

const secretKey = "/registry/secrets/default/db"

var plaintext = []byte(`{"kind":"Secret","data":{"password":"aHVudGVyMg=="},"stringData":"correct-horse-battery-staple"}`)

// TestRoundTripAndPrefix: every provider writes its prefix, hides the
// plaintext, and reads back what it wrote.
func TestRoundTripAndPrefix(t *testing.T) {
	tests := []struct {
		kind       string
		size       int
		wantPrefix string
	}{
		{"aesgcm", 16, "k8s:enc:aesgcm:v1:k1:"},
		{"aesgcm", 24, "k8s:enc:aesgcm:v1:k1:"},
		{"aesgcm", 32, "k8s:enc:aesgcm:v1:k1:"},
		{"aescbc", 32, "k8s:enc:aescbc:v1:k1:"},
		{"secretbox", 32, "k8s:enc:secretbox:v1:k1:"},
	}
	for _, tc := range tests {
		tr := mustNew(t, config([]string{"secrets"}, keyed(tc.kind, Key{"k1", secret(tc.size, 7)})), 1)
		enc, err := tr.Encrypt(secretKey, plaintext)
		if err != nil {
			t.Fatalf("%s/%d: Encrypt = %v", tc.kind, tc.size, err)
		}
		if !bytes.HasPrefix(enc, []byte(tc.wantPrefix)) {
			t.Errorf("%s/%d: Encrypt = %q..., want prefix %q", tc.kind, tc.size, enc[:min(len(enc), 30)], tc.wantPrefix)
		}
		if bytes.Contains(enc, []byte("correct-horse")) || bytes.Contains(enc, []byte("Secret")) {
			t.Errorf("%s/%d: ciphertext contains the plaintext", tc.kind, tc.size)
		}
		got, stale, err := tr.Decrypt(secretKey, enc)
		if err != nil || stale || !bytes.Equal(got, plaintext) {
			t.Errorf("%s/%d: Decrypt(Encrypt(x)) = %q, stale %v, %v; want x, false, nil", tc.kind, tc.size, got, stale, err)
		}
		again, _ := tr.Encrypt(secretKey, plaintext)
		if bytes.Equal(enc, again) {
			t.Errorf("%s/%d: two encryptions of one value are equal: nonces/IVs are not fresh", tc.kind, tc.size)
		}
	}
}

// TestWrongKeyTamperedAndMoved: a value opens only with its own key, only
// unchanged, and (for aesgcm) only under the store key it was written to.
func TestWrongKeyTamperedAndMoved(t *testing.T) {
	for _, kind := range []string{"aesgcm", "aescbc", "secretbox"} {
		tr := mustNew(t, config([]string{"secrets"}, keyed(kind, Key{"k1", secret(32, 1)})), 2)
		other := mustNew(t, config([]string{"secrets"}, keyed(kind, Key{"k1", secret(32, 2)})), 3)
		enc, err := tr.Encrypt(secretKey, plaintext)
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := other.Decrypt(secretKey, enc); err == nil && bytes.Equal(got, plaintext) {
			t.Errorf("%s: another secret under the same key name decrypted the value", kind)
		} else if kind != "aescbc" && !errors.Is(err, store.ErrUnreadable) {
			t.Errorf("%s: Decrypt with another secret = %v, want store.ErrUnreadable", kind, err)
		}
		tampered := bytes.Clone(enc)
		tampered[len(tampered)-1] ^= 1
		got, _, err := tr.Decrypt(secretKey, tampered)
		switch {
		case kind == "aescbc":
			// Not authenticated: the best it can do is not to hand back
			// the original.
			if err == nil && bytes.Equal(got, plaintext) {
				t.Errorf("aescbc: a tampered value decrypted to the original")
			}
		case !errors.Is(err, store.ErrUnreadable):
			t.Errorf("%s: Decrypt(tampered) = %q, %v; want store.ErrUnreadable", kind, got, err)
		}
		if kind == "aesgcm" {
			if _, _, err := tr.Decrypt("/registry/secrets/default/other", enc); !errors.Is(err, store.ErrUnreadable) {
				t.Errorf("aesgcm: a value copied to another key decrypted (%v): the key must be authenticated", err)
			}
		}
	}
}

// TestReadsByPrefix: the first provider writes; every provider reads its
// own values, reads by others are stale; a value whose key is gone is an
// error naming it.
func TestReadsByPrefix(t *testing.T) {
	k1, k2 := Key{"key1", secret(32, 1)}, Key{"key2", secret(32, 2)}
	old := mustNew(t, config([]string{"secrets"}, keyed("aesgcm", k1), identityProvider), 4)
	both := mustNew(t, config([]string{"secrets"}, keyed("aesgcm", k2, k1), identityProvider), 5)
	onlyNew := mustNew(t, config([]string{"secrets"}, keyed("aesgcm", k2)), 6)
	none := mustNew(t, nil, 7)

	byOld, _ := old.Encrypt(secretKey, plaintext)
	byBoth, _ := both.Encrypt(secretKey, plaintext)
	if !bytes.HasPrefix(byBoth, []byte("k8s:enc:aesgcm:v1:key2:")) {
		t.Errorf("the first key of the first provider must write: got %q", byBoth[:24])
	}
	tests := []struct {
		name      string
		tr        *Transformers
		stored    []byte
		wantStale bool
		wantErr   string
	}{
		{"old key, still listed", both, byOld, true, ""},
		{"own key", both, byBoth, false, ""},
		{"plaintext read by identity", both, plaintext, true, ""},
		{"plaintext, identity first", mustNew(t, config([]string{"secrets"}, identityProvider, keyed("aesgcm", k1)), 8), plaintext, false, ""},
		{"encrypted, identity first", mustNew(t, config([]string{"secrets"}, identityProvider, keyed("aesgcm", k1)), 8), byOld, true, ""},
		{"old key removed", onlyNew, byOld, false, "no provider for k8s:enc:aesgcm:v1:key1:: give the servers an EncryptionConfiguration that still lists aesgcm key key1 for secrets"},
		{"plaintext, no identity", onlyNew, plaintext, false, "stored unencrypted, but the EncryptionConfiguration lists no identity provider for secrets"},
		{"no configuration, encrypted", none, byBoth, false, "no provider for k8s:enc:aesgcm:v1:key2:"},
		{"no configuration, plaintext", none, plaintext, false, ""},
	}
	for _, tc := range tests {
		got, stale, err := tc.tr.Decrypt(secretKey, tc.stored)
		if tc.wantErr != "" {
			if !errors.Is(err, store.ErrUnreadable) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: Decrypt = %v, want store.ErrUnreadable with %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || stale != tc.wantStale || !bytes.Equal(got, plaintext) {
			t.Errorf("%s: Decrypt = %q, stale %v, %v; want the plaintext, stale %v", tc.name, got, stale, err, tc.wantStale)
		}
	}
}

// TestResourceRules: which keys a configuration covers, with Kubernetes'
// lookup order (the resource, its group's "*.group", then "*.*").
func TestResourceRules(t *testing.T) {
	gcm := func(name string, b byte) ProviderConfiguration { return keyed("aesgcm", Key{name, secret(32, b)}) }
	c := &Config{APIVersion: APIVersion, Kind: Kind, Resources: []ResourceConfiguration{
		{Resources: []string{"secrets", "configmaps"}, Providers: []ProviderConfiguration{gcm("a", 1)}},
		{Resources: []string{"*.apps"}, Providers: []ProviderConfiguration{gcm("b", 2)}},
		{Resources: []string{"widgets.example.com"}, Providers: []ProviderConfiguration{gcm("c", 3)}},
	}}
	tr := mustNew(t, c, 9)
	tests := []struct{ key, want string }{
		{"/registry/secrets/ns/x", "k8s:enc:aesgcm:v1:a:"},
		{"/registry/configmaps/ns/x", "k8s:enc:aesgcm:v1:a:"},
		{"/registry/deployments/ns/x", "k8s:enc:aesgcm:v1:b:"},
		{"/registry/example.com/widgets/ns/x", "k8s:enc:aesgcm:v1:c:"},
		{"/registry/pods/ns/x", "{"},
		{"/registry/example.com/gadgets/ns/x", "{"},
		{"/tinykube/servers/one", "{"},
	}
	for _, tc := range tests {
		enc, err := tr.Encrypt(tc.key, []byte("{}"))
		if err != nil || !bytes.HasPrefix(enc, []byte(tc.want)) {
			t.Errorf("Encrypt(%s) = %q, %v; want prefix %q", tc.key, enc, err, tc.want)
		}
	}
	all := mustNew(t, config([]string{"*.*"}, gcm("z", 4)), 10)
	if !all.Covers("/registry/pods/ns/x") || !all.Covers("/registry/example.com/widgets/ns/x") {
		t.Errorf("*.* must cover every resource")
	}
	core := mustNew(t, config([]string{"*."}, gcm("z", 4)), 10)
	if !core.Covers("/registry/pods/ns/x") || core.Covers("/registry/deployments/ns/x") {
		t.Errorf("*. must cover the core group only")
	}
}

func TestGroupResourceOfKey(t *testing.T) {
	tests := []struct {
		key  string
		want GroupResource
		ok   bool
	}{
		{"/registry/secrets/ns/x", GroupResource{"", "secrets"}, true},
		{"/registry/deployments/ns/x", GroupResource{"apps", "deployments"}, true},
		{"/registry/clusterroles/x", GroupResource{"rbac.authorization.k8s.io", "clusterroles"}, true},
		{"/registry/example.com/widgets/ns/x", GroupResource{"example.com", "widgets"}, true},
		{"/registry/nodeports/30000", GroupResource{"", "nodeports"}, true},
		{"/other/secrets/x", GroupResource{}, false},
	}
	for _, tc := range tests {
		got, ok := GroupResourceOfKey(tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("GroupResourceOfKey(%q) = %v, %v; want %v, %v", tc.key, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDescribeNamesNoSecrets(t *testing.T) {
	tr := mustNew(t, config([]string{"secrets"}, keyed("aesgcm", Key{"key2", secret(32, 9)}, Key{"key1", secret(32, 8)}), identityProvider), 1)
	got := strings.Join(tr.Describe(), "\n")
	want := "secrets: aesgcm key key2 writes; reads aesgcm key key2, aesgcm key key1, identity"
	if got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
}
