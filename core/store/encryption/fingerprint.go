package encryption

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
)

// Fingerprint is what one server's configuration reads and writes, per
// resource, with every key named by a keyID ("aesgcm:key1:3f0c…"): key
// names and a hash, never a key. Servers of one cluster record theirs in
// etcd so that each can check, when it starts, that the others read what
// it writes and that it reads what they write.
type Fingerprint struct {
	Resources []FingerprintRule `json:"resources"`
}

// FingerprintRule is one resource's providers as keyIDs; the first
// writes.
type FingerprintRule struct {
	Resource string   `json:"resource"`
	Keys     []string `json:"keys"`
}

// keyID names a key without revealing it: provider, name and the first 8
// bytes of a SHA-256 over a fixed label and the secret. Two servers with
// the same name for different secrets get different keyIDs.
func keyID(kind, name string, secret []byte) string {
	h := sha256.New()
	h.Write([]byte("tinykube encryption key fingerprint\x00"))
	h.Write(secret)
	return kind + ":" + name + ":" + hex.EncodeToString(h.Sum(nil)[:8])
}

// Fingerprint returns t's fingerprint.
func (t *Transformers) Fingerprint() Fingerprint {
	f := Fingerprint{Resources: []FingerprintRule{}}
	for _, gr := range t.order {
		var ids []string
		for _, p := range t.rules[gr] {
			ids = append(ids, p.id)
		}
		f.Resources = append(f.Resources, FingerprintRule{Resource: gr.String(), Keys: ids})
	}
	return f
}

// keysFor returns the keyIDs f uses for gr, looked up as chainFor does;
// a resource no rule covers is stored as it is: identity.
func (f Fingerprint) keysFor(gr GroupResource) []string {
	for _, k := range []GroupResource{gr, {Group: gr.Group, Resource: "*"}, {Group: "*", Resource: "*"}} {
		for _, r := range f.Resources {
			if ParseGroupResource(r.Resource) == k && len(r.Keys) > 0 {
				return r.Keys
			}
		}
	}
	return []string{"identity"}
}

// Compatible checks that a server with fingerprint mine and one named
// other with fingerprint theirs can share a store: for every resource
// either names, each reads what the other writes. The error says which
// server lacks which key and what to do; nil means they agree.
func Compatible(mine, theirs Fingerprint, other string) error {
	var names []string
	for _, f := range []Fingerprint{mine, theirs} {
		for _, r := range f.Resources {
			if !slices.Contains(names, r.Resource) {
				names = append(names, r.Resource)
			}
		}
	}
	for _, name := range names {
		gr := ParseGroupResource(name)
		my, their := mine.keysFor(gr), theirs.keysFor(gr)
		if !slices.Contains(their, my[0]) {
			return fmt.Errorf("server %s cannot read %s written with this server's first provider (%s): its EncryptionConfiguration reads only %v. Every server must be given the same file: add the new key to every server as a later provider and restart them, and only then move it first", other, name, my[0], their)
		}
		if !slices.Contains(my, their[0]) {
			return fmt.Errorf("server %s writes %s with %s, which this server's EncryptionConfiguration lacks (it reads %v): give this server the same file as %s", other, name, their[0], my, other)
		}
	}
	return nil
}
