package clienttest

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/store"
)

// Start is the virtual time every Env begins at.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Env is a bootstrapped API server on a virtual loop.
type Env struct {
	T      testing.TB
	Loop   *loop.Virtual
	Store  *store.Memory
	Server *apiserver.Server
	// Client goes straight to Server: the test's own view, never held back.
	Client *client.Client
	// Transport is for the components under test (client.New(e.Transport)).
	Transport *Transport
	// AfterStep, when set, runs after every callback that Settle and
	// RunFor run: a place for invariants that must hold at every step.
	AfterStep func()
}

// New returns a bootstrapped Env at Start whose server draws from
// rand.NewPCG(seed1, seed2) (UIDs and generated names depend on it). It
// fails the test if bootstrap fails.
func New(t testing.TB, seed1, seed2 uint64) *Env {
	t.Helper()
	v := loop.NewVirtual(Start)
	st := store.NewMemory()
	srv := apiserver.New(apiserver.Config{Store: st, Clock: v, Rand: rand.New(rand.NewPCG(seed1, seed2))})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatalf("bootstrapping the API server: %v", err)
	}
	return &Env{T: t, Loop: v, Store: st, Server: srv,
		Client: client.New(client.Local(srv.Handle)), Transport: NewTransport(srv)}
}

func (e *Env) step() {
	e.Loop.Step()
	if e.AfterStep != nil {
		e.AfterStep()
	}
}

// Settle runs every callback due now, and those they queue for now,
// without moving the clock.
func (e *Env) Settle() {
	for {
		next, ok := e.Loop.Next()
		if !ok || next.After(e.Loop.Now()) {
			return
		}
		e.step()
	}
}

// RunFor runs the loop for d of virtual time, one callback at a time,
// then settles at the end time.
func (e *Env) RunFor(d time.Duration) {
	end := e.Loop.Now().Add(d)
	for {
		next, ok := e.Loop.Next()
		if !ok || next.After(end) {
			break
		}
		e.step()
	}
	e.Loop.RunUntil(end)
	e.Settle()
}

// Events returns the messages of the events in namespace default with the
// given reason, oldest first as the API lists them.
func (e *Env) Events(reason string) []string {
	e.T.Helper()
	l, err := client.For[*api.Event](e.Client).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		e.T.Fatalf("listing events: %v", err)
	}
	var out []string
	for _, ev := range l.Items {
		if ev.Reason == reason {
			out = append(out, ev.Message)
		}
	}
	return out
}

// MarkReady sets p Running and Ready as of now, as a kubelet would. p is
// not changed.
func (e *Env) MarkReady(p *api.Pod) error {
	p = api.DeepCopy(p)
	p.Status.Phase = api.PodRunning
	p.Status.Conditions = []api.PodCondition{{Type: api.PodReady, Status: api.ConditionTrue, LastTransitionTime: api.NewTime(e.Loop.Now())}}
	_, err := client.For[*api.Pod](e.Client).UpdateStatus(context.Background(), p, client.WriteOptions{})
	return err
}

// List returns every object of kind T in namespace ns ("" for all), read
// through c; it fails the test if the list fails.
func List[T api.Object](t testing.TB, c *client.Client, ns string) []T {
	t.Helper()
	l, err := client.For[T](c).List(context.Background(), ns, client.ListOptions{})
	if err != nil {
		t.Fatalf("list %T: %v", *new(T), err)
	}
	return l.Items
}
