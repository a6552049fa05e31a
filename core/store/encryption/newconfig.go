package encryption

import (
	"encoding/base64"
	"fmt"
	"io"
)

// NewConfigYAML returns a fresh EncryptionConfiguration for Secrets: one
// 32-byte aesgcm key named name, drawn from random, then identity (so
// Secrets written before encryption was turned on still read, until they
// are rewritten). random must be a cryptographic source (crypto/rand).
func NewConfigYAML(random io.Reader, name string) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(random, key); err != nil {
		return nil, fmt.Errorf("drawing a key: %v", err)
	}
	out := fmt.Sprintf(`# Secrets are encrypted with the first provider and read with any.
# Give every server of the cluster this same file
# (tinykube server --encryption-provider-config FILE), and keep it secret.
apiVersion: %s
kind: %s
resources:
  - resources:
      - secrets
    providers:
      - aesgcm:
          keys:
            - name: %s
              secret: %s
      - identity: {}
`, APIVersion, Kind, name, base64.StdEncoding.EncodeToString(key))
	if _, err := Parse([]byte(out)); err != nil {
		return nil, fmt.Errorf("key name %q: %v", name, err)
	}
	return []byte(out), nil
}
