package scheduler

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// offloadingLoop is a virtual loop that offloads as a real-time one does:
// the work runs later, with other callbacks in between, and then after it.
type offloadingLoop struct {
	*loop.Virtual
	delay     time.Duration
	offloaded int
}

func (l *offloadingLoop) Offload(work, then func()) {
	l.offloaded++
	l.After(l.delay, func() { work(); then() })
}

// TestOffloadedBindings runs the scheduler on a loop that offloads its
// bindings (as realnode's does), with the informer lagging and one
// binding's answer lost: while a binding is under way the pod counts on
// its node and is not scheduled again, a lost answer is retried through
// the queue, and no node is over-committed.
func TestOffloadedBindings(t *testing.T) {
	c := newCluster(t, Config{})
	l := &offloadingLoop{Virtual: c.v, delay: 50 * time.Millisecond}
	c.sched = New(Config{Loop: l, Client: client.New(c.tr), Rand: rand.New(rand.NewPCG(7, 7))})
	c.addNode(newNode("a", "1", "4Gi"))
	c.addNode(newNode("b", "1", "4Gi"))
	for i := range 3 {
		c.addPod(newPod(fmt.Sprintf("p%d", i), requests("600m", "1Gi")))
	}
	c.tr.Hold("/pods") // the scheduler's informer stops hearing of pods
	c.tr.loseBindings = 1
	c.sched.Start()
	c.v.RunFor(20 * time.Millisecond)
	// Two bindings and the FailedScheduling event of the pod that fits
	// nowhere once the others are assumed.
	if c.tr.bindings != 0 || l.offloaded != 3 {
		t.Fatalf("%d bindings sent and %d works offloaded 20ms in, want 0 and 3 (both bindings under way): the test's timing is off", c.tr.bindings, l.offloaded)
	}
	// A node joins while both bindings are under way: every pending pod
	// is tried again, and the two being bound must be left alone.
	c.addNode(newNode("c", "100m", "4Gi"))
	c.v.RunFor(5 * time.Second)
	// p0 and p1 once each, and again the one whose answer was lost (a
	// Conflict tells the scheduler it was bound): three, before the
	// informer shows any binding.
	if c.tr.bindings != 3 {
		t.Errorf("%d binding requests while the informer lagged, want 3 (two pods, one retried after its answer was lost)", c.tr.bindings)
	}
	c.tr.Release()
	c.v.RunFor(10 * time.Second)
	if over := c.overcommitted(); len(over) > 0 {
		t.Errorf("over-committed with offloaded bindings: %q (bindings %v)", over, c.bindings())
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1}, c.podsPerNode()); diff != "" {
		t.Errorf("pods per node (-want +got):\n%s", diff)
	}
	scheduled := 0
	for _, name := range []string{"p0", "p1", "p2"} {
		for _, e := range c.events(name) {
			if e[:len(EventScheduled)] == EventScheduled {
				scheduled++
			}
		}
	}
	if scheduled != 1 { // the lost answer's pod learns of its binding by Conflict, without an event
		t.Errorf("%d Scheduled events, want 1 (the other binding's answer was lost)", scheduled)
	}
}
