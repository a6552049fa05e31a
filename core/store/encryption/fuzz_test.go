package encryption

import (
	"testing"
)

// FuzzParse: no file makes Parse panic, and whatever it accepts builds
// transformers.
func FuzzParse(f *testing.F) {
	f.Add([]byte("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers: [{aesgcm: {keys: [{name: k, secret: " + secret(32, 1) + "}]}}, {identity: {}}]\n"))
	f.Add([]byte(`{"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":[{"resources":["*.*"],"providers":[{"secretbox":{"keys":[]}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		if _, err := New(c, seeded(1)); err != nil {
			t.Fatalf("Parse accepted a configuration New refuses: %v", err)
		}
	})
}

// FuzzDecrypt: no stored value makes Decrypt panic, whatever its prefix.
func FuzzDecrypt(f *testing.F) {
	for _, kind := range []string{"aesgcm", "aescbc", "secretbox"} {
		tr := mustNew(f, config([]string{"secrets"}, keyed(kind, Key{"k", secret(32, 1)}), identityProvider), 1)
		enc, _ := tr.Encrypt(secretKey, []byte("value"))
		f.Add(enc)
	}
	f.Add([]byte("k8s:enc:aesgcm:v1:"))
	f.Add([]byte("k8s:enc:"))
	trs := []*Transformers{}
	for _, kind := range []string{"aesgcm", "aescbc", "secretbox"} {
		trs = append(trs, mustNew(f, config([]string{"secrets"}, keyed(kind, Key{"k", secret(32, 1)}), identityProvider), 1))
	}
	f.Fuzz(func(t *testing.T, stored []byte) {
		for _, tr := range trs {
			tr.Decrypt(secretKey, stored)
		}
	})
}
