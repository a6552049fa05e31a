package kubelet

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// serviceAccountTokens is the kubelet's token manager: the tokens it asked
// the API server for on behalf of its pods (TokenRequest, bound to the
// pod), kept until they are due for refresh. A pod's projected
// serviceAccountToken files are filled from here on every sync; only a
// token that is missing or due costs a request. When a token becomes due a
// timer brings its pod back to the queue, the volume is computed afresh
// and the runtime swaps the files atomically — the container reading the
// file sees the old token or the new one, never half of each.
//
// Kubernetes' kubelet does the same, keyed the same way, with a random
// jitter on the refresh time that tinykube leaves out (a node has few pods,
// and the simulator wants no randomness it did not draw from its seed).
type serviceAccountTokens struct {
	k      *Kubelet
	tokens map[tokenKey]*cachedToken
}

// tokenKey is what makes two token requests interchangeable: the same pod
// (the token is bound to it), ServiceAccount, audience and lifetime.
type tokenKey struct {
	podUID, namespace, serviceAccount, audience string
	expirationSeconds                           int64
}

// cachedToken is a token the API server signed, and when to ask again.
type cachedToken struct {
	token     string
	expires   time.Time
	refreshAt time.Time
	timer     loop.Timer // queues the pod at refreshAt
}

// Token lifetimes: the one asked for when a projection names none (the
// API's default), and the longest the kubelet keeps any token before
// asking for a new one, however long the server let it live.
const (
	defaultTokenExpirationSeconds int64 = 3600
	maxTokenAge                         = 24 * time.Hour
)

// tokenRefreshAt returns when a token issued for lifetime (the spec's
// expirationSeconds in the answer) and expiring at expires is due for a new
// one: once 80% of its lifetime has passed, or 24 hours after it was
// issued, whichever comes first.
func tokenRefreshAt(expires time.Time, lifetime time.Duration) time.Time {
	issued := expires.Add(-lifetime)
	at := expires.Add(-lifetime / 5)
	if limit := issued.Add(maxTokenAge); limit.Before(at) {
		at = limit
	}
	return at
}

// token returns a token of pod's ServiceAccount for projection src,
// requesting one (bound to the pod) when none is cached or the cached one
// is due. A request that fails while an unexpired token is cached keeps
// that token (the pod's file stays valid; the pod comes back after
// mountRetry to try again);
// otherwise the error says why the token could not be had, as Kubernetes'
// FailedMount events do.
func (t *serviceAccountTokens) token(pod *api.Pod, src *api.ServiceAccountTokenProjection) (string, error) {
	if t.tokens == nil {
		t.tokens = map[tokenKey]*cachedToken{}
	}
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	exp := defaultTokenExpirationSeconds
	if src.ExpirationSeconds != nil {
		exp = *src.ExpirationSeconds
	}
	key := tokenKey{podUID: pod.UID, namespace: pod.Namespace, serviceAccount: sa, audience: src.Audience, expirationSeconds: exp}
	now := t.k.cfg.Loop.Now()
	cached := t.tokens[key]
	if cached != nil && now.Before(cached.refreshAt) {
		return cached.token, nil
	}
	req := &api.TokenRequest{Spec: api.TokenRequestSpec{
		ExpirationSeconds: &exp,
		BoundObjectRef:    &api.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
	}}
	if src.Audience != "" {
		req.Spec.Audiences = []string{src.Audience}
	}
	tr, err := client.CreateToken(context.Background(), t.k.cfg.Client, pod.Namespace, sa, req)
	if err == nil && tr.Status.Token == "" {
		err = fmt.Errorf("the API server answered without a token")
	}
	if err != nil {
		if cached != nil && now.Before(cached.expires) {
			t.refreshLater(cached, client.Key(pod), mountRetry)
			return cached.token, nil
		}
		return "", fmt.Errorf("failed to fetch token: %w", err)
	}
	lifetime := secondsDuration(exp)
	if tr.Spec.ExpirationSeconds != nil {
		lifetime = secondsDuration(*tr.Spec.ExpirationSeconds)
	}
	expires := tr.Status.ExpirationTimestamp.Time
	if expires.IsZero() {
		expires = now.Add(lifetime)
	}
	if cached != nil && cached.timer != nil {
		cached.timer.Stop()
	}
	c := &cachedToken{token: tr.Status.Token, expires: expires, refreshAt: tokenRefreshAt(expires, lifetime)}
	if soonest := now.Add(mountRetry); c.refreshAt.Before(soonest) {
		// Due at once (a server whose clock runs ahead of this node's, or
		// a lifetime of seconds): ask again after a pause, not in a loop.
		c.refreshAt = soonest
	}
	t.refreshLater(c, client.Key(pod), c.refreshAt.Sub(now))
	t.tokens[key] = c
	return c.token, nil
}

// refreshLater brings pod podKey back to the queue after d, when c will be
// asked for again; it replaces c's earlier timer.
func (t *serviceAccountTokens) refreshLater(c *cachedToken, podKey string, d time.Duration) {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timer = t.k.cfg.Loop.After(d, func() {
		c.timer = nil
		t.k.queue.Add(podKey)
	})
}

// forget drops the tokens of pod uid and their timers (the pod is gone).
func (t *serviceAccountTokens) forget(uid string) {
	for _, key := range t.sortedKeys() {
		if key.podUID == uid {
			t.drop(key)
		}
	}
}

// stop cancels every refresh timer (the kubelet stops).
func (t *serviceAccountTokens) stop() {
	for _, key := range t.sortedKeys() {
		t.drop(key)
	}
}

func (t *serviceAccountTokens) drop(key tokenKey) {
	if c := t.tokens[key]; c.timer != nil {
		c.timer.Stop()
	}
	delete(t.tokens, key)
}

// sortedKeys lists the cached keys in a fixed order, so that what the
// kubelet does with them never depends on map order.
func (t *serviceAccountTokens) sortedKeys() []tokenKey {
	return slices.SortedFunc(maps.Keys(t.tokens), func(a, b tokenKey) int {
		for _, c := range [][2]string{{a.podUID, b.podUID}, {a.namespace, b.namespace}, {a.serviceAccount, b.serviceAccount}, {a.audience, b.audience}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return cmp.Compare(a.expirationSeconds, b.expirationSeconds)
	})
}
