package pki

import (
	"fmt"
	"regexp"
	"strings"
)

// A join token, in k3s' style, is
//
//	K10<hex SHA-256 of the CA certificate>::<secret>
//
// The joining machine first fetches the CA certificate without sending
// anything, checks its hash against the token, and only then sends the
// secret over TLS verified with that CA. A wrong hash means the machine
// is talking to someone else: it stops, and the secret never leaves it.
// The secret is either "server:<hex>" (the cluster's own token, kept in
// DATA_DIR/token, which admits servers and agents) or a bootstrap token
// "<id>.<secret>" ([a-z0-9]{6}.[a-z0-9]{16}, `tinykube token create`),
// which admits agents only.

const tokenPrefix = "K10"

// JoinToken is a parsed join token.
type JoinToken struct {
	CAHash string // hex SHA-256 of the CA's PEM
	Secret string // "server:<hex>" or "<id>.<secret>"
}

// String formats the token as a user passes it.
func (t JoinToken) String() string { return tokenPrefix + t.CAHash + "::" + t.Secret }

var caHashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ParseJoinToken parses "K10<hash>::<secret>". A token without the K10
// prefix is refused: a bare secret would be sent to whoever answers.
func ParseJoinToken(s string) (JoinToken, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, tokenPrefix)
	if !ok {
		return JoinToken{}, fmt.Errorf("the join token does not start with %s<CA hash>:: — use the whole contents of DATA_DIR/token on a server, or a token from 'tinykube token create'", tokenPrefix)
	}
	hash, secret, ok := strings.Cut(rest, "::")
	if !ok || !caHashRE.MatchString(hash) {
		return JoinToken{}, fmt.Errorf("the join token's CA hash is not 64 hex digits followed by ::")
	}
	if secret == "" {
		return JoinToken{}, fmt.Errorf("the join token has no secret after ::")
	}
	return JoinToken{CAHash: hash, Secret: secret}, nil
}

// IsServerSecret reports whether a token's secret is the cluster's own
// (server) token rather than a bootstrap token.
func (t JoinToken) IsServerSecret() bool { return strings.HasPrefix(t.Secret, "server:") }
