package controlplane

import (
	crand "crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tinykube/tinykube/realnode/pki"
)

// The join token is a shared secret: a server that holds it may add an
// etcd member to the cluster, which is as much as owning every object in
// it. The first server draws it and keeps it in DATA_DIR/token as
//
//	K10<hex SHA-256 of the CA certificate>::server:<hex secret>
//
// (see pki.JoinToken); every server that joins keeps a copy, so any of
// them can admit the next one. Only the secret after :: is ever sent, as
// a bearer token, and only to a server whose CA has the token's hash.

// tokenFile is where a server keeps the join token.
func tokenFile(dataDir string) string { return filepath.Join(dataDir, "token") }

var bareHexToken = regexp.MustCompile(`^[0-9a-f]{32,}$`)

// ensureToken returns the join token in dataDir for the CA with hash
// caHash, drawing and writing a new one (readable by the owner only) when
// there is none. A token file of an older tinykube (the bare hex secret)
// is upgraded in place, keeping its secret; a token naming another CA
// hash is rewritten with this one (the secret is kept).
func ensureToken(dataDir, caHash string) (pki.JoinToken, error) {
	t, err := ReadToken(dataDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return pki.JoinToken{}, err
	}
	var want pki.JoinToken
	switch {
	case err == nil && bareHexToken.MatchString(t):
		want = pki.JoinToken{CAHash: caHash, Secret: "server:" + t}
	case err == nil:
		jt, perr := pki.ParseJoinToken(t)
		if perr != nil || !jt.IsServerSecret() {
			return pki.JoinToken{}, fmt.Errorf("%s does not hold a server join token (K10<hash>::server:<hex>): move it away to draw a new one", tokenFile(dataDir))
		}
		if jt.CAHash == caHash {
			return jt, nil
		}
		want = pki.JoinToken{CAHash: caHash, Secret: jt.Secret}
	default:
		var b [24]byte
		if _, err := crand.Read(b[:]); err != nil {
			return pki.JoinToken{}, fmt.Errorf("drawing a join token: %v", err)
		}
		want = pki.JoinToken{CAHash: caHash, Secret: "server:" + hex.EncodeToString(b[:])}
	}
	return want, writeToken(dataDir, want.String())
}

func writeToken(dataDir, token string) error {
	p := tokenFile(dataDir)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing the join token: %v", err)
	}
	return os.Rename(tmp, p)
}

// ReadToken returns the join token kept in dataDir (an error wrapping
// os.ErrNotExist when no server ever started there).
func ReadToken(dataDir string) (string, error) {
	b, err := os.ReadFile(tokenFile(dataDir))
	if err != nil {
		return "", err
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("%s is empty", tokenFile(dataDir))
	}
	return t, nil
}

// tokenMatches compares in constant time, so the time an answer takes
// tells nothing about how much of a guess was right.
func tokenMatches(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
