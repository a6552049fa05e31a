package daemonset

import (
	"time"

	"github.com/tinykube/tinykube/core/loop"
)

// ExpectationsTimeout is how long the controller trusts its own writes to
// show up in the pod informer before it acts again anyway.
const ExpectationsTimeout = 5 * time.Minute

// expectations remember, per DaemonSet key, the pod creations and
// deletions issued and not yet seen in the informer. Without them a
// reconcile that runs before the informer shows the pod just created for
// a node would create a second one there. A reconcile that finds
// expectations pending only writes status.
//
// Creations are a count (the server picks the names). Deletions are pod
// keys: a graceful delete is observed twice and must count once.
type expectations struct {
	loop loop.Loop
	m    map[string]*expectation
}

type expectation struct {
	adds    int
	deletes map[string]bool
	at      time.Time
}

func newExpectations(l loop.Loop) *expectations {
	return &expectations{loop: l, m: map[string]*expectation{}}
}

// satisfied reports whether key may act: nothing pending, or what is
// pending has waited longer than ExpectationsTimeout.
func (e *expectations) satisfied(key string) bool {
	x, ok := e.m[key]
	if !ok || (x.adds <= 0 && len(x.deletes) == 0) {
		return true
	}
	return e.loop.Now().Sub(x.at) > ExpectationsTimeout
}

// expect records the adds creations and deletions of podKeys one pass is
// about to issue, replacing the old record (a pass only writes when
// satisfied, so that one is fulfilled or expired).
func (e *expectations) expect(key string, adds int, podKeys []string) {
	x := &expectation{adds: adds, deletes: map[string]bool{}, at: e.loop.Now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.m[key] = x
}

// creationObserved lowers the pending creations by one: a pod appeared,
// or a creation failed and none will.
func (e *expectations) creationObserved(key string) {
	if x, ok := e.m[key]; ok && x.adds > 0 {
		x.adds--
	}
}

// deletionObserved marks podKey's deletion as seen (repeats are ignored).
func (e *expectations) deletionObserved(key, podKey string) {
	if x, ok := e.m[key]; ok {
		delete(x.deletes, podKey)
	}
}

// forget drops key's record: the DaemonSet is gone.
func (e *expectations) forget(key string) { delete(e.m, key) }
