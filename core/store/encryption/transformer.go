package encryption

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/core/store"
)

// encPrefix starts every encrypted value: "k8s:enc:PROVIDER:v1:KEYNAME:".
const encPrefix = "k8s:enc:"

// cipher is one key of one provider: it seals plaintext into what follows
// the prefix in the store, and opens it again. aad is data bound to the
// ciphertext without being stored in it (the store key, for the AEADs
// that take it), so a value copied under another key does not open.
type cipher interface {
	seal(random io.Reader, plain, aad []byte) ([]byte, error)
	open(sealed, aad []byte) ([]byte, error)
}

// provider is one element of a chain: a cipher and the prefix values it
// wrote carry ("" for identity).
type provider struct {
	kind, key string // "aesgcm", "key1"; "identity", ""
	prefix    string
	id        string // keyID: names the key and its secret without revealing it
	c         cipher
}

// name is how logs and errors name p: "aesgcm key key1", "identity".
func (p provider) name() string {
	if p.key == "" {
		return p.kind
	}
	return p.kind + " key " + p.key
}

// chain is the providers of one resource in order: the first writes,
// each reads the values carrying its prefix.
type chain []provider

// Transformers encrypts and decrypts store values by the resource their
// key belongs to, as an EncryptionConfiguration says. It is safe for
// concurrent use.
type Transformers struct {
	rules map[GroupResource]chain
	order []GroupResource // rules in configuration order, for Describe
	// resolve maps a store key to its resource (GroupResourceOfKey;
	// tests map their own keys).
	resolve func(key string) (GroupResource, bool)
	mu      sync.Mutex // guards random
	rand    io.Reader
}

// New builds the transformers of a validated configuration, drawing
// nonces and IVs from random (crypto/rand.Reader on real machines; a
// seeded source in tests). A nil c encrypts nothing but still refuses to
// hand out values that are encrypted, naming the key they need.
func New(c *Config, random io.Reader) (*Transformers, error) {
	t := &Transformers{rules: map[GroupResource]chain{}, rand: random, resolve: GroupResourceOfKey}
	if c == nil {
		return t, nil
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	for _, rc := range c.Resources {
		var ch chain
		for _, p := range rc.Providers {
			kind := p.kinds()[0]
			if kind == "identity" {
				ch = append(ch, provider{kind: kind, c: identity{}, id: kind})
				continue
			}
			for _, k := range p.keys() {
				secret, _ := base64.StdEncoding.DecodeString(k.Secret) // validated
				c, err := newCipher(kind, secret)
				if err != nil {
					return nil, fmt.Errorf("%s key %s: %v", kind, k.Name, err)
				}
				ch = append(ch, provider{kind: kind, key: k.Name, prefix: encPrefix + kind + ":v1:" + k.Name + ":", c: c, id: keyID(kind, k.Name, secret)})
			}
		}
		for _, r := range rc.Resources {
			gr := ParseGroupResource(r)
			if _, ok := t.rules[gr]; !ok {
				t.order = append(t.order, gr)
			}
			// A resource named by two entries reads with both; the
			// first entry's first provider writes.
			t.rules[gr] = append(t.rules[gr], ch...)
		}
	}
	return t, nil
}

// newCipher returns the cipher of one key.
func newCipher(kind string, secret []byte) (cipher, error) {
	switch kind {
	case "aesgcm":
		return newAESGCM(secret)
	case "aescbc":
		return newAESCBC(secret)
	case "secretbox":
		return newSecretbox(secret)
	}
	return nil, fmt.Errorf("unknown provider %q", kind)
}

// chainFor returns the providers for key's resource — its own rule, else
// its group's "*.group", else "*.*" — or nil when none covers it.
func (t *Transformers) chainFor(key string) chain {
	gr, ok := t.resolve(key)
	if !ok {
		return nil
	}
	for _, k := range []GroupResource{gr, {Group: gr.Group, Resource: "*"}, {Group: "*", Resource: "*"}} {
		if ch, ok := t.rules[k]; ok {
			return ch
		}
	}
	return nil
}

// Covers reports whether values under key are transformed at all.
func (t *Transformers) Covers(key string) bool { return t.chainFor(key) != nil }

// Encrypt returns what to store for plain under key: sealed by the first
// provider of key's resource behind its prefix, or plain when no rule
// covers the key or identity comes first.
func (t *Transformers) Encrypt(key string, plain []byte) ([]byte, error) {
	ch := t.chainFor(key)
	if len(ch) == 0 {
		return plain, nil
	}
	p := ch[0]
	t.mu.Lock()
	sealed, err := p.c.seal(t.rand, plain, []byte(key))
	t.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("encrypting %s with %s: %v", key, p.name(), err)
	}
	if p.prefix == "" {
		return sealed, nil
	}
	return append([]byte(p.prefix), sealed...), nil
}

// Decrypt returns the plaintext of the value stored under key, and
// whether it is stale: written by a provider other than the one that
// writes now, so a rewrite would change it. A value that no configured
// provider can read fails with an error wrapping store.ErrUnreadable that
// names the prefix it carries and the key it needs.
func (t *Transformers) Decrypt(key string, stored []byte) (plain []byte, stale bool, err error) {
	ch := t.chainFor(key)
	encrypted := bytes.HasPrefix(stored, []byte(encPrefix))
	for i, p := range ch {
		switch {
		case p.prefix == "" && !encrypted:
			return stored, i > 0, nil
		case p.prefix != "" && bytes.HasPrefix(stored, []byte(p.prefix)):
			out, err := p.c.open(stored[len(p.prefix):], []byte(key))
			if err != nil {
				return nil, false, fmt.Errorf("%w: %s: decrypting with %s: %v (the value was altered in the store, or this server's %s is not the key it was written with)", store.ErrUnreadable, key, p.name(), err, p.key)
			}
			return out, i > 0, nil
		}
	}
	if !encrypted {
		if len(ch) == 0 {
			return stored, false, nil
		}
		// As in Kubernetes, a rule without identity does not read
		// plaintext: every value should have been rewritten encrypted.
		return nil, false, fmt.Errorf("%w: %s is stored unencrypted, but the EncryptionConfiguration lists no identity provider for %s: add {identity: {}} last to its providers, restart, and rewrite with 'tinykube encryption rotate'", store.ErrUnreadable, key, resourceName(key))
	}
	prefix, kind, name := describePrefix(stored)
	return nil, false, fmt.Errorf("%w: %s: no provider for %s: give the servers an EncryptionConfiguration that still lists %s %s for %s", store.ErrUnreadable, key, prefix, kind, name, resourceName(key))
}

// describePrefix returns the "k8s:enc:KIND:v1:NAME:" a value starts with,
// and its provider kind and key name (best effort on damaged values).
func describePrefix(v []byte) (prefix, kind, name string) {
	parts := strings.SplitN(string(v[:min(len(v), 300)]), ":", 6)
	if len(parts) < 6 {
		return encPrefix + "…", "the", "key"
	}
	return strings.Join(parts[:5], ":") + ":", parts[2], "key " + parts[4]
}

// resourceName is the configuration's name for key's resource.
func resourceName(key string) string {
	gr, ok := GroupResourceOfKey(key)
	if !ok {
		return key
	}
	return gr.String()
}

// Describe says, per configured resource, which provider writes and which
// read ("secrets: aesgcm key key2 writes; reads aesgcm key key2, aesgcm key
// key1, identity"), for the server's start-up log. It never shows a key.
func (t *Transformers) Describe() []string {
	var out []string
	for _, gr := range t.order {
		ch := t.rules[gr]
		var reads []string
		for _, p := range ch {
			reads = append(reads, p.name())
		}
		out = append(out, fmt.Sprintf("%s: %s writes; reads %s", gr, ch[0].name(), strings.Join(reads, ", ")))
	}
	return out
}

// errShort is returned for a sealed value too short to hold its nonce/IV
// and tag.
var errShort = errors.New("the stored value is too short to be a ciphertext")
