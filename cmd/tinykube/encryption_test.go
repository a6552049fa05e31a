package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/store/encryption"
)

// TestEncryptionNewConfig: the printed file parses, names the key asked
// for, writes with aesgcm and reads plaintext Secrets; two runs draw
// different keys.
func TestEncryptionNewConfig(t *testing.T) {
	var outs []string
	for range 2 {
		var out, errb bytes.Buffer
		if code := run([]string{"encryption", "new-config", "--key-name", "k1"}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("encryption new-config = exit %d: %s", code, errb.String())
		}
		c, err := encryption.Parse(out.Bytes())
		if err != nil {
			t.Fatalf("encryption.Parse(new-config output) = %v\n%s", err, out.String())
		}
		if got := c.Resources[0].Providers[0].AESGCM; got == nil || got.Keys[0].Name != "k1" || c.Resources[0].Providers[1].Identity == nil {
			t.Errorf("new-config = %+v, want aesgcm key k1 then identity", c.Resources[0].Providers)
		}
		outs = append(outs, out.String())
	}
	if outs[0] == outs[1] {
		t.Errorf("two runs of new-config printed the same key")
	}
}
