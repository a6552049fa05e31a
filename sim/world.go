package sim

import (
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Epoch is when every simulation starts: a fixed instant, so traces carry
// the same timestamps in every run.
var Epoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// World is one simulated run.
type World struct {
	Loop  *loop.Virtual
	Seed  uint64
	Trace *Trace
	Net   *Network

	// WrapTransport, when set, wraps the API transport of each process as
	// it starts: a test or an invariant sees (or perturbs) every call the
	// process makes — Sieve-style crash points, a history recorder.
	WrapTransport func(process string, t client.Transport) client.Transport

	procs map[string]*Process
	// checks run after every step; the first failure stops the run.
	checks []func() error
	failed error
}

// NewWorld returns an empty world for seed.
func NewWorld(seed uint64) *World {
	w := &World{Loop: loop.NewVirtual(Epoch), Seed: seed, procs: map[string]*Process{}}
	w.Trace = newTrace(w)
	w.Net = newNetwork(w)
	return w
}

// Rand returns the random stream called name. Each component draws from its
// own stream, derived from the seed and the name, so that adding a
// component (or a draw to one) does not change what the others draw.
func (w *World) Rand(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(w.Seed, h.Sum64()))
}

// Now returns the virtual time.
func (w *World) Now() time.Time { return w.Loop.Now() }

// Elapsed returns the virtual time since the start.
func (w *World) Elapsed() time.Duration { return w.Loop.Now().Sub(Epoch) }

// AddCheck registers a check run after every step. A check returns an
// error describing the violation; the run stops at the first.
func (w *World) AddCheck(f func() error) { w.checks = append(w.checks, f) }

// Fail stops the run with a violation (the first one counts).
func (w *World) Fail(err error) {
	if w.failed == nil {
		w.failed = err
		w.Trace.Note("check", "VIOLATION: %v", err)
	}
}

// Failed returns the violation that stopped the run, or nil.
func (w *World) Failed() error { return w.failed }

// At schedules f at virtual time Epoch+d (a scenario's "at T do X").
func (w *World) At(d time.Duration, f func()) { w.Loop.At(Epoch.Add(d), f) }

// RunFor runs the world for d of virtual time, or until a check fails. It
// reports whether the run is still healthy.
func (w *World) RunFor(d time.Duration) bool {
	end := w.Loop.Now().Add(d)
	for w.failed == nil {
		next, ok := w.Loop.Next()
		if !ok || next.After(end) {
			break
		}
		w.Loop.Step()
		for _, c := range w.checks {
			if err := c(); err != nil {
				w.failed = err
				w.Trace.Note("check", "VIOLATION: %v", err)
				break
			}
		}
	}
	if w.failed == nil {
		w.Loop.RunUntil(end) // nothing left before end: move the clock
	}
	return w.failed == nil
}

// Processes returns the processes in name order.
func (w *World) Processes() []*Process {
	names := make([]string, 0, len(w.procs))
	for n := range w.procs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*Process, len(names))
	for i, n := range names {
		out[i] = w.procs[n]
	}
	return out
}

// Process returns the process called name, or nil.
func (w *World) Process(name string) *Process { return w.procs[name] }
