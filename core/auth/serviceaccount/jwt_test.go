package serviceaccount

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// testKeys returns keys derived from a fixed seed byte.
func testKeys(seed byte) *Keys {
	return NewKeys(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
}

var t0 = time.Unix(1_700_000_000, 0)

func testClaims() Claims {
	return Claims{
		Issuer:    DefaultIssuer,
		Subject:   "system:serviceaccount:dev:robot",
		Audience:  Audience{DefaultIssuer},
		IssuedAt:  t0.Unix(),
		NotBefore: t0.Unix(),
		Expiry:    t0.Add(time.Hour).Unix(),
		Kubernetes: PrivateClaims{
			Namespace:      "dev",
			ServiceAccount: Ref{Name: "robot", UID: "sa-uid"},
			Pod:            &Ref{Name: "web", UID: "pod-uid"},
		},
	}
}

func TestIssueThenVerify(t *testing.T) {
	keys := testKeys(1)
	other := testKeys(2)
	rotated := testKeys(3)
	rotated.Verifying = append(rotated.Verifying, keys.Verifying...)
	cases := []struct {
		name      string
		edit      func(*Claims)
		verifier  *Keys
		now       time.Time
		audiences []string
		want      error
	}{
		{name: "valid", now: t0},
		{name: "valid just before expiry", now: t0.Add(time.Hour - time.Second)},
		{name: "expired at exp", now: t0.Add(time.Hour), want: ErrExpired},
		{name: "nbf within skew", now: t0.Add(-Skew)},
		{name: "nbf beyond skew", now: t0.Add(-Skew - time.Second), want: ErrNotValidYet},
		{name: "iat in the future", now: t0, edit: func(c *Claims) { c.NotBefore = 0; c.IssuedAt = t0.Add(2 * Skew).Unix() }, want: ErrIssuedInFuture},
		{name: "other cluster's key", verifier: other, now: t0, want: ErrSignature},
		{name: "old key still verifying after rotation", verifier: rotated, now: t0},
		{name: "wrong issuer", edit: func(c *Claims) { c.Issuer = "https://elsewhere" }, now: t0, want: ErrIssuer},
		{name: "audience not accepted", now: t0, audiences: []string{"vault"}, want: ErrAudience},
		{name: "one audience of several", edit: func(c *Claims) { c.Audience = Audience{"vault", "api"} }, audiences: []string{"api"}, now: t0},
		{name: "no audience", edit: func(c *Claims) { c.Audience = nil }, now: t0, want: ErrAudience},
		{name: "no expiry", edit: func(c *Claims) { c.Expiry = 0 }, now: t0, want: ErrExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := testClaims()
			if tc.edit != nil {
				tc.edit(&c)
			}
			tok, err := Issue(keys, c)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			verifier := keys
			if tc.verifier != nil {
				verifier = tc.verifier
			}
			got, err := Verify(verifier, tok, tc.now, tc.audiences)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Verify(%s) error = %v, want %v", tc.name, err, tc.want)
			}
			if err != nil {
				return
			}
			c.ID = got.ID
			if diff := cmp.Diff(&c, got); diff != "" {
				t.Errorf("Verify(Issue(claims)) claims differ (-issued +verified):\n%s", diff)
			}
		})
	}
}

func TestIssueIsDeterministic(t *testing.T) {
	keys := testKeys(1)
	a, _ := Issue(keys, testClaims())
	b, _ := Issue(keys, testClaims())
	if a != b {
		t.Errorf("Issue twice with the same claims gave two tokens:\n%s\n%s", a, b)
	}
	c, _ := Parse(a)
	if len(c.ID) != 36 {
		t.Errorf("derived jti = %q, want a UUID-shaped 36 characters", c.ID)
	}
	other := testClaims()
	other.IssuedAt++
	d, _ := Parse(mustIssue(t, keys, other))
	if d.ID == c.ID {
		t.Errorf("two tokens with different claims share jti %q", c.ID)
	}
}

func mustIssue(t *testing.T, keys *Keys, c Claims) string {
	t.Helper()
	tok, err := Issue(keys, c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestWireShape checks the header and claim names a Kubernetes client
// decoding our token would look for.
func TestWireShape(t *testing.T) {
	keys := testKeys(1)
	tok := mustIssue(t, keys, testClaims())
	parts := strings.Split(tok, ".")
	h, _ := b64.DecodeString(parts[0])
	var hdr map[string]any
	if err := json.Unmarshal(h, &hdr); err != nil {
		t.Fatal(err)
	}
	if hdr["alg"] != "EdDSA" || hdr["kid"] != KeyID(keys.Verifying[0]) {
		t.Errorf("header = %v, want alg EdDSA and kid %s", hdr, KeyID(keys.Verifying[0]))
	}
	b, _ := b64.DecodeString(parts[1])
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "kubernetes.io"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("claims lack %q: %s", k, b)
		}
	}
	if _, isList := claims["aud"].([]any); !isList {
		t.Errorf("aud = %v, want a list", claims["aud"])
	}
	k8s := claims["kubernetes.io"].(map[string]any)
	if k8s["namespace"] != "dev" || k8s["serviceaccount"].(map[string]any)["uid"] != "sa-uid" || k8s["pod"].(map[string]any)["name"] != "web" {
		t.Errorf("kubernetes.io claims = %v, want namespace dev, serviceaccount uid sa-uid, pod web", k8s)
	}
	if _, has := k8s["secret"]; has {
		t.Errorf("kubernetes.io claims = %v, want no secret for a pod-bound token", k8s)
	}
}

func TestAudienceAsString(t *testing.T) {
	var c Claims
	if err := json.Unmarshal([]byte(`{"aud":"api"}`), &c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Audience{"api"}, c.Audience); diff != "" {
		t.Errorf("aud \"api\" decoded (-want +got):\n%s", diff)
	}
}

func TestVerifyRefusesMalformed(t *testing.T) {
	keys := testKeys(1)
	good := mustIssue(t, keys, testClaims())
	parts := strings.Split(good, ".")
	none := b64.EncodeToString([]byte(`{"alg":"none"}`))
	cases := map[string]string{
		"empty":            "",
		"two segments":     parts[0] + "." + parts[1],
		"four segments":    good + ".x",
		"alg none":         none + "." + parts[1] + ".",
		"alg none, signed": none + "." + parts[1] + "." + parts[2],
		"padding":          parts[0] + "=." + parts[1] + "." + parts[2],
		"std base64":       parts[0] + "." + parts[1] + ".+" + parts[2][1:],
		"short signature":  parts[0] + "." + parts[1] + "." + parts[2][:10],
		"claims not json":  parts[0] + "." + b64.EncodeToString([]byte("hello")) + "." + parts[2],
		"too long":         strings.Repeat("a", MaxTokenBytes+1),
	}
	for name, tok := range cases {
		if c, err := Verify(keys, tok, t0, nil); err == nil {
			t.Errorf("Verify(%s) = %+v, want an error", name, c)
		}
	}
	if _, err := Verify(nil, good, t0, nil); !errors.Is(err, ErrNoKeys) {
		t.Errorf("Verify(no keys) error = %v, want %v", err, ErrNoKeys)
	}
}

// TestTamperedNeverVerifies: changing any one character of a token, or
// cutting or adding one, gives a token that does not verify.
func TestTamperedNeverVerifies(t *testing.T) {
	keys := testKeys(1)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="
	rapid.Check(t, func(rt *rapid.T) {
		c := testClaims()
		c.Subject = rapid.StringMatching(`system:serviceaccount:[a-z]{1,8}:[a-z]{1,8}`).Draw(rt, "sub")
		c.Expiry += rapid.Int64Range(0, 1e6).Draw(rt, "extra")
		tok := mustIssue(t, keys, c)
		b := []byte(tok)
		switch rapid.IntRange(0, 2).Draw(rt, "how") {
		case 0: // replace one character
			i := rapid.IntRange(0, len(b)-1).Draw(rt, "at")
			ch := alphabet[rapid.IntRange(0, len(alphabet)-1).Draw(rt, "char")]
			if b[i] == ch {
				rt.Skip("same character")
			}
			b[i] = ch
		case 1: // cut one character
			i := rapid.IntRange(0, len(b)-1).Draw(rt, "at")
			b = append(b[:i:i], b[i+1:]...)
		case 2: // insert one character
			i := rapid.IntRange(0, len(b)).Draw(rt, "at")
			ch := alphabet[rapid.IntRange(0, len(alphabet)-1).Draw(rt, "char")]
			b = append(b[:i:i], append([]byte{ch}, b[i:]...)...)
		}
		if got, err := Verify(keys, string(b), t0, nil); err == nil {
			rt.Fatalf("Verify(tampered %q) = %+v, want an error (original %q)", b, got, tok)
		}
	})
}
