package controller

import (
	"time"

	"github.com/tinykube/tinykube/core/loop"
)

// ExpectationsTimeout is how long a controller trusts its own writes to
// show up in its informer before it stops waiting and acts again, as in
// Kubernetes. A lost watch event then costs five minutes, not forever.
const ExpectationsTimeout = 5 * time.Minute

// Expectations remember, per owner key (a ReplicaSet, a Job, a
// DaemonSet), the pod creations and deletions a controller issued and has
// not yet seen in its pod informer.
//
// Why: the informer lags the controller's writes. Right after creating two
// pods the cache still shows the old count; a second reconcile (triggered
// by anything) would create two more. So a reconcile that finds
// expectations pending only updates status and waits.
//
// Creations are a count (the names are chosen by the server). Deletions are
// tracked by pod key, because a graceful delete is observed twice (the
// deletionTimestamp update, then the removal) and must count once.
type Expectations struct {
	loop loop.Loop
	m    map[string]*expectation
}

type expectation struct {
	adds    int
	deletes map[string]bool // pod keys
	at      time.Time       // when the expectation was set
}

// NewExpectations returns empty expectations timed by l.
func NewExpectations(l loop.Loop) *Expectations {
	return &Expectations{loop: l, m: map[string]*expectation{}}
}

// Satisfied reports whether key may act: nothing is pending, or what is
// pending has waited longer than ExpectationsTimeout.
func (e *Expectations) Satisfied(key string) bool {
	x, ok := e.m[key]
	if !ok {
		return true
	}
	if x.adds <= 0 && len(x.deletes) == 0 {
		return true
	}
	return e.loop.Now().Sub(x.at) > ExpectationsTimeout
}

// Expect records the adds creations and the deletions of podKeys one pass
// is about to issue for key, replacing whatever was recorded before (the
// caller only issues writes when satisfied, so anything older is fulfilled
// or expired).
func (e *Expectations) Expect(key string, adds int, podKeys []string) {
	x := &expectation{adds: adds, deletes: map[string]bool{}, at: e.loop.Now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.m[key] = x
}

// ExpectCreations records n creations about to be issued for key.
func (e *Expectations) ExpectCreations(key string, n int) { e.Expect(key, n, nil) }

// ExpectDeletions records deletions of podKeys about to be issued for key.
func (e *Expectations) ExpectDeletions(key string, podKeys []string) { e.Expect(key, 0, podKeys) }

// CreationObserved lowers key's pending creations by one: a pod it owns
// appeared, or a create it expected was not issued or failed.
func (e *Expectations) CreationObserved(key string) {
	if x, ok := e.m[key]; ok && x.adds > 0 {
		x.adds--
	}
}

// DeletionObserved marks podKey's deletion as seen (once; repeats are
// ignored).
func (e *Expectations) DeletionObserved(key, podKey string) {
	if x, ok := e.m[key]; ok {
		delete(x.deletes, podKey)
	}
}

// Pending returns key's creations and deletions still expected.
func (e *Expectations) Pending(key string) (adds, deletes int) {
	if x, ok := e.m[key]; ok {
		return x.adds, len(x.deletes)
	}
	return 0, 0
}

// Forget drops key's record: the owner is gone.
func (e *Expectations) Forget(key string) { delete(e.m, key) }
