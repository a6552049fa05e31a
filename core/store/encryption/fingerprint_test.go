package encryption

import (
	"strings"
	"testing"
)

func TestCompatible(t *testing.T) {
	k1, k2 := Key{"key1", secret(32, 1)}, Key{"key2", secret(32, 2)}
	fp := func(c *Config) Fingerprint { return mustNew(t, c, 1).Fingerprint() }
	var (
		plain    = fp(nil)
		old      = fp(config([]string{"secrets"}, keyed("aesgcm", k1), identityProvider))
		added    = fp(config([]string{"secrets"}, keyed("aesgcm", k1, k2), identityProvider))
		moved    = fp(config([]string{"secrets"}, keyed("aesgcm", k2, k1), identityProvider))
		finished = fp(config([]string{"secrets"}, keyed("aesgcm", k2)))
		sameName = fp(config([]string{"secrets"}, keyed("aesgcm", Key{"key1", secret(32, 7)}), identityProvider))
		readOnly = fp(config([]string{"secrets"}, identityProvider, keyed("aesgcm", k1)))
	)
	tests := []struct {
		name        string
		mine, their Fingerprint
		want        string // "" when compatible
	}{
		{"no configuration on either", plain, plain, ""},
		{"same file", old, old, ""},
		{"rotation step 1: new key added second", added, old, ""},
		{"rotation step 2: new key first where the others have it", moved, added, ""},
		{"rotation step 4: old key removed", finished, moved, ""},
		{"enabling: others read the key first", readOnly, plain, ""},
		{"enabling: encrypting before the others can read", old, plain, "server two cannot read secrets written with this server's first provider (aesgcm:key1:"},
		{"skipped step 1", moved, old, "server two cannot read secrets written with this server's first provider (aesgcm:key2:"},
		{"the other writes a key this one lacks", old, moved, "server two writes secrets with aesgcm:key2:"},
		{"same name, another secret", sameName, old, "server two cannot read secrets"},
	}
	for _, tc := range tests {
		err := Compatible(tc.mine, tc.their, "two")
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Compatible = %v, want nil", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Compatible = %v, want an error containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secret(32, 1)) {
			t.Errorf("%s: the error shows a key: %v", tc.name, err)
		}
	}
}
