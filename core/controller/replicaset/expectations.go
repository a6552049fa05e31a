package replicaset

import (
	"time"

	"github.com/tinykube/tinykube/core/loop"
)

// ExpectationsTimeout is how long the controller trusts its own writes to
// show up in the informer before it stops waiting and acts again, as in
// Kubernetes. A lost watch event then costs five minutes, not forever.
const ExpectationsTimeout = 5 * time.Minute

// expectations remember, per ReplicaSet key, the creations and deletions the
// controller issued and has not yet seen in its pod informer.
//
// Why: the informer lags the controller's writes. Right after creating two
// pods the cache still shows the old count; a second reconcile (triggered
// by anything) would create two more. So a reconcile that finds
// expectations pending only updates status and waits.
//
// Creations are a count (the names are chosen by the server). Deletions are
// tracked by pod key, because a graceful delete is observed twice (the
// deletionTimestamp update, then the removal) and must count once.
type expectations struct {
	loop loop.Loop
	m    map[string]*expectation
}

type expectation struct {
	adds    int
	deletes map[string]bool // pod keys
	at      time.Time       // when the expectation was set
}

func newExpectations(l loop.Loop) *expectations {
	return &expectations{loop: l, m: map[string]*expectation{}}
}

// satisfied reports whether rsKey may act: nothing is pending, or what is
// pending has waited longer than ExpectationsTimeout.
func (e *expectations) satisfied(rsKey string) bool {
	x, ok := e.m[rsKey]
	if !ok {
		return true
	}
	if x.adds <= 0 && len(x.deletes) == 0 {
		return true
	}
	return e.loop.Now().Sub(x.at) > ExpectationsTimeout
}

// expectCreations records n creations about to be issued for rsKey,
// replacing whatever was recorded before (the caller only issues writes
// when satisfied, so anything older is fulfilled or expired).
func (e *expectations) expectCreations(rsKey string, n int) {
	e.m[rsKey] = &expectation{adds: n, deletes: map[string]bool{}, at: e.loop.Now()}
}

// expectDeletions records deletions of podKeys about to be issued for rsKey.
func (e *expectations) expectDeletions(rsKey string, podKeys []string) {
	x := &expectation{deletes: map[string]bool{}, at: e.loop.Now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.m[rsKey] = x
}

// creationObserved lowers rsKey's pending creations by one: a pod it owns
// appeared, or a create it expected was not issued or failed.
func (e *expectations) creationObserved(rsKey string) {
	if x, ok := e.m[rsKey]; ok && x.adds > 0 {
		x.adds--
	}
}

// deletionObserved marks podKey's deletion as seen (once; repeats are
// ignored).
func (e *expectations) deletionObserved(rsKey, podKey string) {
	if x, ok := e.m[rsKey]; ok {
		delete(x.deletes, podKey)
	}
}

// forget drops rsKey's record: the ReplicaSet is gone.
func (e *expectations) forget(rsKey string) { delete(e.m, rsKey) }
