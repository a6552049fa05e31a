package encryption

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"fmt"
	"io"
)

// aesGCM is AES in Galois/Counter Mode: authenticated encryption, with
// the store key as additional data. A value is nonce (12 random bytes) +
// ciphertext + tag (16 bytes). Random 96-bit nonces are safe for about
// 2^32 writes per key: rotate keys well before that.
type aesGCM struct{ aead gocipher.AEAD }

// newAESGCM returns the cipher of a 16-, 24- or 32-byte key.
func newAESGCM(key []byte) (cipher, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := gocipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return aesGCM{aead}, nil
}

// seal draws a nonce from random and puts it in front of the ciphertext.
func (g aesGCM) seal(random io.Reader, plain, aad []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	out := make([]byte, n, n+len(plain)+g.aead.Overhead())
	if _, err := io.ReadFull(random, out); err != nil {
		return nil, fmt.Errorf("drawing a nonce: %v", err)
	}
	return g.aead.Seal(out, out[:n], plain, aad), nil
}

// open checks the tag and decrypts; a changed byte, another key or
// another store key fails.
func (g aesGCM) open(sealed, aad []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	if len(sealed) < n+g.aead.Overhead() {
		return nil, errShort
	}
	return g.aead.Open(nil, sealed[:n], sealed[n:], aad)
}
