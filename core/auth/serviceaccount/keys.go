package serviceaccount

import "crypto/ed25519"

// Keys are what the API server signs and checks tokens with. Every server
// of a cluster holds the same keys, so a token one issued is good at all
// of them; Verify tries each public key, so a key can be rotated in
// before the old one is dropped.
type Keys struct {
	// Issuer is the "iss" of every token signed, and the only one accepted
	// ("https://kubernetes.default.svc.cluster.local", as Kubernetes).
	Issuer string
	// Signing signs new tokens.
	Signing ed25519.PrivateKey
	// Verifying check tokens; Signing's public key is always among them.
	Verifying []ed25519.PublicKey
	// Audiences are the API server's own: a token with none of them is
	// refused at the API ("https://kubernetes.default.svc.cluster.local").
	Audiences []string
}

// DefaultIssuer is the issuer and the API's audience unless configured.
const DefaultIssuer = "https://kubernetes.default.svc.cluster.local"

// NewKeys returns the keys of a cluster that signs with signing: its
// public key verifies, and the issuer and API audience are
// DefaultIssuer. (The simulator derives signing from its seed with
// ed25519.NewKeyFromSeed; a real server keeps it in its data dir.)
func NewKeys(signing ed25519.PrivateKey) *Keys {
	return &Keys{
		Issuer:    DefaultIssuer,
		Signing:   signing,
		Verifying: []ed25519.PublicKey{signing.Public().(ed25519.PublicKey)},
		Audiences: []string{DefaultIssuer},
	}
}
