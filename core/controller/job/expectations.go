package job

import (
	"time"

	"github.com/tinykube/tinykube/core/loop"
)

// ExpectationsTimeout is how long the controller trusts its own creates
// and deletes to show up in the pod informer before it acts again.
const ExpectationsTimeout = 5 * time.Minute

// expectations remember, per Job key, the pod creations and deletions the
// controller issued and has not yet seen in its pod informer, as the
// ReplicaSet controller's do: right after creating two pods the cache
// still shows the old count, and a second sync must not create two more.
//
// They only guard creating and deleting. Counting finished pods does not
// rely on them (a restarted controller has none): see tracking.go.
type expectations struct {
	loop loop.Loop
	m    map[string]*expectation
}

type expectation struct {
	adds    int
	deletes map[string]bool // pod keys
	at      time.Time
}

func newExpectations(l loop.Loop) *expectations {
	return &expectations{loop: l, m: map[string]*expectation{}}
}

// satisfied reports whether jobKey may create or delete pods: nothing is
// pending, or what is pending has waited longer than ExpectationsTimeout.
func (e *expectations) satisfied(jobKey string) bool {
	x, ok := e.m[jobKey]
	if !ok || (x.adds <= 0 && len(x.deletes) == 0) {
		return true
	}
	return e.loop.Now().Sub(x.at) > ExpectationsTimeout
}

// expect records n creations and the deletions of podKeys about to be
// issued, replacing the old record (only a satisfied key issues writes).
func (e *expectations) expect(jobKey string, n int, podKeys []string) {
	x := &expectation{adds: n, deletes: map[string]bool{}, at: e.loop.Now()}
	for _, k := range podKeys {
		x.deletes[k] = true
	}
	e.m[jobKey] = x
}

// creationObserved lowers jobKey's pending creations by one.
func (e *expectations) creationObserved(jobKey string) {
	if x, ok := e.m[jobKey]; ok && x.adds > 0 {
		x.adds--
	}
}

// deletionObserved marks podKey's deletion as seen (repeats are ignored).
func (e *expectations) deletionObserved(jobKey, podKey string) {
	if x, ok := e.m[jobKey]; ok {
		delete(x.deletes, podKey)
	}
}

// forget drops jobKey's record: the Job is gone.
func (e *expectations) forget(jobKey string) { delete(e.m, jobKey) }
