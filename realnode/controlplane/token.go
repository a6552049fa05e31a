package controlplane

import (
	crand "crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The join token is a shared secret: a server that holds it may add an
// etcd member to the cluster, which is as much as owning every object in
// it. The first server (--cluster-init) draws it and keeps it in
// DATA_DIR/token; every server that joins keeps a copy, so any of them can
// admit the next one.

// tokenFile is where a server keeps the join token.
func tokenFile(dataDir string) string { return filepath.Join(dataDir, "token") }

// ensureToken returns the token in dataDir, drawing and writing a new one
// (readable by the owner only) when there is none.
func ensureToken(dataDir string) (string, error) {
	if t, err := ReadToken(dataDir); err == nil {
		return t, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var b [24]byte
	if _, err := crand.Read(b[:]); err != nil {
		return "", fmt.Errorf("drawing a join token: %v", err)
	}
	t := hex.EncodeToString(b[:])
	return t, writeToken(dataDir, t)
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
// os.ErrNotExist when the server there never started with --cluster-init
// or --join).
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
