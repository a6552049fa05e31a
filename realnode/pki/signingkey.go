package pki

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SigningKeyFile is where a server keeps the key ServiceAccount tokens
// are signed with (Kubernetes' sa.key), next to the CA.
const SigningKeyFile = "sa.key"

// LoadOrCreateSigningKey returns the Ed25519 token-signing key kept in
// dir/sa.key, drawing and writing one (mode 0600, dir 0700) when there is
// none. Every server of a cluster must hold the same key, so a joining
// server receives it (WriteSigningKey) instead of drawing its own.
func LoadOrCreateSigningKey(dir string) (ed25519.PrivateKey, error) {
	path := filepath.Join(dir, SigningKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := ParseSigningKey(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v (move it away to draw a new key; tokens signed with the old one stop working)", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("drawing the token-signing key: %v", err)
	}
	pemBytes, err := SigningKeyPEM(k)
	if err != nil {
		return nil, err
	}
	if err := WriteSigningKey(dir, pemBytes); err != nil {
		return nil, err
	}
	return k, nil
}

// WriteSigningKey writes a PEM signing key to dir/sa.key (mode 0600).
func WriteSigningKey(dir string, keyPEM []byte) error {
	if _, err := ParseSigningKey(keyPEM); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, SigningKeyFile), keyPEM, 0o600)
}

// SigningKeyPEM encodes an Ed25519 key as a PKCS#8 PEM block.
func SigningKeyPEM(k ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseSigningKey parses a PEM PKCS#8 Ed25519 key.
func ParseSigningKey(keyPEM []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("the token-signing key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the token-signing key: %v", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the token-signing key is a %T, want an Ed25519 key", k)
	}
	return ek, nil
}
