// Package encryption keeps chosen resources (Secrets, usually) encrypted in
// the store, as kube-apiserver does with --encryption-provider-config: an
// EncryptionConfiguration (apiserver.config.k8s.io/v1) lists, per set of
// resources, providers — aesgcm, aescbc, secretbox (each with named keys)
// and identity. The first provider writes; every provider reads the values
// that carry its prefix ("k8s:enc:aesgcm:v1:KEYNAME:"), so a key can be
// rotated in without rewriting the store at once.
//
// NewStore wraps any store.Store so that values under the configured
// resources' key prefixes are encrypted on the way in and decrypted on the
// way out (Get, List, Watch events and their previous values, Delete's
// previous value): the API server above never sees ciphertext. The
// transformers are pure given a source of randomness for nonces and IVs
// (crypto/rand on real machines, a seeded source in tests and the
// simulator).
//
// Book: book/18-hardening.md ("Secrets at rest").
package encryption
