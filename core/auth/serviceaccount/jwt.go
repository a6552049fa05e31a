package serviceaccount

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A token is three base64url segments joined by dots (RFC 7519):
//
//	header . claims . signature
//
// The header names the algorithm (always EdDSA here) and the key that
// signed; the claims say who the token is for, whom it may be shown to
// and when it is good; the signature covers the first two segments as
// they are written, so changing one character anywhere breaks it.

// Claims are the contents of a ServiceAccount token, with Kubernetes'
// names for them.
type Claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  Audience `json:"aud"`
	Expiry    int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	// ID ("jti") names this one token, so that an audit log can tell two
	// tokens of one account apart; Issue derives one when it is empty.
	ID         string        `json:"jti,omitempty"`
	Kubernetes PrivateClaims `json:"kubernetes.io"`
}

// PrivateClaims are the "kubernetes.io" claims: the account, and the
// objects the token is bound to (it dies with them).
type PrivateClaims struct {
	Namespace      string `json:"namespace"`
	ServiceAccount Ref    `json:"serviceaccount"`
	Pod            *Ref   `json:"pod,omitempty"`
	Secret         *Ref   `json:"secret,omitempty"`
	Node           *Ref   `json:"node,omitempty"`
}

// Ref names an object by name and uid: a uid, unlike a name, is never
// reused, so a token of a deleted and recreated account stays dead.
type Ref struct {
	Name string `json:"name"`
	UID  string `json:"uid"`
}

// Audience is the "aud" claim. RFC 7519 allows a single string or a list;
// tokens are written with a list, as Kubernetes writes them.
type Audience []string

// UnmarshalJSON accepts "aud" as a string or a list of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("the aud claim is neither a string nor a list of strings")
	}
	*a = many
	return nil
}

// header is a token's first segment.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
}

// Algorithm is the only signing algorithm issued and accepted. Refusing
// every other one (above all "none") is what keeps a forger from choosing
// how their token is checked.
const Algorithm = "EdDSA"

// Skew is how far a token's nbf and iat may lie ahead of the checker's
// clock: the servers of a cluster do not agree on the time to the second.
const Skew = 60 * time.Second

// MaxTokenBytes bounds the tokens Verify looks at; a real one is well
// under 2 KiB.
const MaxTokenBytes = 16 << 10

// Why Verify refuses a token. The texts are Kubernetes' where it has one.
var (
	ErrMalformed      = errors.New("token is malformed")
	ErrAlgorithm      = errors.New("token is not signed with EdDSA")
	ErrSignature      = errors.New("token signature is invalid")
	ErrIssuer         = errors.New("token issuer is not this cluster's")
	ErrAudience       = errors.New("token audiences are not among the accepted audiences")
	ErrExpired        = errors.New("service account token has expired")
	ErrNotValidYet    = errors.New("service account token is not valid yet")
	ErrIssuedInFuture = errors.New("service account token is issued in the future")
	ErrNoKeys         = errors.New("no service account keys are configured")
)

// b64 is base64url without padding, strict about the unused low bits of
// the last character: otherwise two spellings of one segment would both
// verify, and a changed character could go unnoticed.
var b64 = base64.RawURLEncoding.Strict()

// KeyID names a public key in the "kid" header: the base64url SHA-256 of
// its PKIX (DER) encoding, as Kubernetes names its keys.
func KeyID(pub ed25519.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		// Only a malformed key gets here; name it by its bytes.
		der = pub
	}
	sum := sha256.Sum256(der)
	return b64.EncodeToString(sum[:])
}

// Issue signs c with keys.Signing and returns the token. When c.ID is
// empty it is derived from the other claims (a hash, not a random draw:
// core has no unseeded randomness), so the same claims give the same
// token. Issue checks nothing about c: the caller decides what to sign.
func Issue(keys *Keys, c Claims) (string, error) {
	if keys == nil || len(keys.Signing) != ed25519.PrivateKeySize {
		return "", ErrNoKeys
	}
	if c.ID == "" {
		c.ID = deriveID(c)
	}
	pub := keys.Signing.Public().(ed25519.PublicKey)
	h, err := json.Marshal(header{Alg: Algorithm, Kid: KeyID(pub)})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	signed := b64.EncodeToString(h) + "." + b64.EncodeToString(body)
	sig := ed25519.Sign(keys.Signing, []byte(signed))
	return signed + "." + b64.EncodeToString(sig), nil
}

// deriveID returns a UUID-shaped hash of c (whose ID is empty).
func deriveID(c Claims) string {
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	x := fmt.Sprintf("%x", sum[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// Parse splits a token and decodes its claims without checking the
// signature or anything else: only for a caller that will call Verify, or
// that shows a token's contents. It fails on anything that is not three
// strict base64url segments of JSON with alg EdDSA.
func Parse(token string) (*Claims, error) {
	c, _, _, err := split(token)
	return c, err
}

// split parses token into its claims, the signed text and the signature.
func split(token string) (c *Claims, signed, sig []byte, err error) {
	if len(token) > MaxTokenBytes {
		return nil, nil, nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, MaxTokenBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, nil, fmt.Errorf("%w: %d dot-separated segments, want 3", ErrMalformed, len(parts))
	}
	var raw [3][]byte
	for i, p := range parts {
		if raw[i], err = b64.DecodeString(p); err != nil {
			return nil, nil, nil, fmt.Errorf("%w: segment %d is not base64url: %v", ErrMalformed, i+1, err)
		}
	}
	var h header
	if err := strictJSON(raw[0], &h); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	if h.Alg != Algorithm {
		return nil, nil, nil, fmt.Errorf("%w (alg %q)", ErrAlgorithm, h.Alg)
	}
	c = &Claims{}
	if err := strictJSON(raw[1], c); err != nil {
		return nil, nil, nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	if len(raw[2]) != ed25519.SignatureSize {
		return nil, nil, nil, fmt.Errorf("%w: signature of %d bytes, want %d", ErrMalformed, len(raw[2]), ed25519.SignatureSize)
	}
	return c, []byte(parts[0] + "." + parts[1]), raw[2], nil
}

// strictJSON decodes one JSON object into v and refuses trailing data.
// Unknown claims are allowed: other issuers add their own.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// Verify checks token and returns its claims: a signature by one of
// keys.Verifying, keys.Issuer as issuer, an audience among audiences
// (keys.Audiences when audiences is empty), and now within its lifetime
// (nbf and iat may be up to Skew ahead of now; exp is exact). It checks
// nothing about the objects the claims name: that is the API server's
// business, since only it sees them.
func Verify(keys *Keys, token string, now time.Time, audiences []string) (*Claims, error) {
	if keys == nil || len(keys.Verifying) == 0 {
		return nil, ErrNoKeys
	}
	c, signed, sig, err := split(token)
	if err != nil {
		return nil, err
	}
	if !signedByOneOf(keys.Verifying, signed, sig) {
		return nil, ErrSignature
	}
	if c.Issuer != keys.Issuer {
		return nil, fmt.Errorf("%w (iss %q)", ErrIssuer, c.Issuer)
	}
	if len(audiences) == 0 {
		audiences = keys.Audiences
	}
	if !intersects(c.Audience, audiences) {
		return nil, fmt.Errorf("%w (token %q, accepted %q)", ErrAudience, []string(c.Audience), audiences)
	}
	t := now.Unix()
	skew := int64(Skew / time.Second)
	switch {
	case t >= c.Expiry:
		return nil, ErrExpired
	case t+skew < c.NotBefore:
		return nil, ErrNotValidYet
	case t+skew < c.IssuedAt:
		return nil, ErrIssuedInFuture
	}
	return c, nil
}

// signedByOneOf reports whether sig is a signature of signed by one of
// keys. Every key is tried: a token from before a rotation still names
// the old key, and trying them all needs no trust in the "kid" header.
func signedByOneOf(keys []ed25519.PublicKey, signed, sig []byte) bool {
	for _, k := range keys {
		if len(k) == ed25519.PublicKeySize && ed25519.Verify(k, signed, sig) {
			return true
		}
	}
	return false
}

// intersects reports whether a and b share an element.
func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
