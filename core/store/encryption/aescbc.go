package encryption

import (
	"crypto/aes"
	gocipher "crypto/cipher"
	"errors"
	"fmt"
	"io"
)

// aesCBC is AES in cipher block chaining mode with PKCS#7 padding: a
// value is IV (16 random bytes) + ciphertext. It is not authenticated —
// a changed ciphertext decrypts to garbage unless its padding breaks —
// which is why Kubernetes recommends aesgcm or secretbox instead; it is
// here to read what clusters wrote with it.
type aesCBC struct{ block gocipher.Block }

// newAESCBC returns the cipher of a 16-, 24- or 32-byte key.
func newAESCBC(key []byte) (cipher, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return aesCBC{block}, nil
}

var errPadding = errors.New("invalid PKCS#7 padding: wrong key or altered value")

// seal pads plain to whole blocks and encrypts it behind a random IV.
func (c aesCBC) seal(random io.Reader, plain, _ []byte) ([]byte, error) {
	bs := c.block.BlockSize()
	pad := bs - len(plain)%bs
	out := make([]byte, bs+len(plain)+pad)
	if _, err := io.ReadFull(random, out[:bs]); err != nil {
		return nil, fmt.Errorf("drawing an IV: %v", err)
	}
	copy(out[bs:], plain)
	for i := bs + len(plain); i < len(out); i++ {
		out[i] = byte(pad)
	}
	gocipher.NewCBCEncrypter(c.block, out[:bs]).CryptBlocks(out[bs:], out[bs:])
	return out, nil
}

// open decrypts and strips the padding, refusing padding that is not
// PKCS#7.
func (c aesCBC) open(sealed, _ []byte) ([]byte, error) {
	bs := c.block.BlockSize()
	if len(sealed) < 2*bs || len(sealed)%bs != 0 {
		return nil, errShort
	}
	out := make([]byte, len(sealed)-bs)
	gocipher.NewCBCDecrypter(c.block, sealed[:bs]).CryptBlocks(out, sealed[bs:])
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, errPadding
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, errPadding
		}
	}
	return out[:len(out)-pad], nil
}
