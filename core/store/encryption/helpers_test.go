package encryption

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// seeded is a deterministic source of nonces and IVs for tests.
func seeded(seed byte) *rand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return rand.NewChaCha8(s)
}

// secret returns a base64 key of n bytes, all b.
func secret(n int, b byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string([]byte{b}), n)))
}

// keyed is one provider element with keys "name=secret".
func keyed(kind string, keys ...Key) ProviderConfiguration {
	kc := &KeysConfiguration{Keys: keys}
	switch kind {
	case "aesgcm":
		return ProviderConfiguration{AESGCM: kc}
	case "aescbc":
		return ProviderConfiguration{AESCBC: kc}
	case "secretbox":
		return ProviderConfiguration{Secretbox: kc}
	}
	panic("unknown kind " + kind)
}

var identityProvider = ProviderConfiguration{Identity: &struct{}{}}

// config is a configuration with one entry.
func config(resources []string, providers ...ProviderConfiguration) *Config {
	return &Config{APIVersion: APIVersion, Kind: Kind, Resources: []ResourceConfiguration{{Resources: resources, Providers: providers}}}
}

// mustNew builds transformers or fails the test.
func mustNew(t testing.TB, c *Config, seed byte) *Transformers {
	t.Helper()
	tr, err := New(c, seeded(seed))
	if err != nil {
		t.Fatalf("New(%s) = %v", describeConfig(c), err)
	}
	return tr
}

func describeConfig(c *Config) string {
	if c == nil {
		return "nil"
	}
	var parts []string
	for _, rc := range c.Resources {
		var ps []string
		for _, p := range rc.Providers {
			ps = append(ps, strings.Join(p.kinds(), "+"))
		}
		parts = append(parts, fmt.Sprintf("%v:%v", rc.Resources, ps))
	}
	return strings.Join(parts, " ")
}
