package encryption

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/nacl/secretbox"
)

// secretBox is NaCl's secretbox (XSalsa20 and Poly1305): authenticated
// encryption with a 32-byte key. A value is nonce (24 random bytes) +
// sealed box. It takes no additional data.
type secretBox struct{ key [32]byte }

// newSecretbox returns the cipher of a 32-byte key.
func newSecretbox(key []byte) (cipher, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secretbox keys are 32 bytes, got %d", len(key))
	}
	var b secretBox
	copy(b.key[:], key)
	return b, nil
}

func (b secretBox) seal(random io.Reader, plain, _ []byte) ([]byte, error) {
	var nonce [24]byte
	if _, err := io.ReadFull(random, nonce[:]); err != nil {
		return nil, fmt.Errorf("drawing a nonce: %v", err)
	}
	return secretbox.Seal(nonce[:], plain, &nonce, &b.key), nil
}

var errAuth = errors.New("message authentication failed")

func (b secretBox) open(sealed, _ []byte) ([]byte, error) {
	if len(sealed) < 24+secretbox.Overhead {
		return nil, errShort
	}
	var nonce [24]byte
	copy(nonce[:], sealed)
	out, ok := secretbox.Open(nil, sealed[24:], &nonce, &b.key)
	if !ok {
		return nil, errAuth
	}
	return out, nil
}
