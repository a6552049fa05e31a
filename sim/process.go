package sim

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Process is a group of components that live and die together: the
// control plane, or one node's kubelet. Its components run on its Loop and
// reach the API server through its Client.
//
// A crash is total: every callback the process had pending is dropped (its
// loop's epoch moves on, so stale timers and watch callbacks find nothing
// to do), its watch streams are cut, and whatever its components held in
// memory is lost. A restart calls its start function again to build fresh
// components, as a restarted binary would.
type Process struct {
	w     *World
	Name  string
	start func(p *Process)

	up      bool
	epoch   int
	stops   []func()
	loop    *processLoop
	client  *client.Client
	crashes int
	// clock is the process's own clock, read by its components: real
	// (virtual) time unless a clock fault skews it. It belongs to the
	// machine, so it keeps its skew across crashes.
	clock loop.Skew
}

// AddProcess registers a process; start builds and starts its components.
// The process is not running until Start.
func (w *World) AddProcess(name string, start func(p *Process)) *Process {
	if w.procs[name] != nil {
		panic(fmt.Sprintf("sim: process %q added twice", name))
	}
	p := &Process{w: w, Name: name, start: start}
	w.procs[name] = p
	return p
}

// Up reports whether the process runs.
func (p *Process) Up() bool { return p.up }

// Crashes returns how many times the process crashed.
func (p *Process) Crashes() int { return p.crashes }

// Start runs the process (again, after a crash).
func (p *Process) Start() {
	if p.up {
		return
	}
	p.up = true
	p.epoch++
	p.loop = &processLoop{p: p, epoch: p.epoch}
	var t client.Transport = p.w.Net.Transport(p.Name)
	if p.w.WrapTransport != nil {
		t = p.w.WrapTransport(p.Name, t)
	}
	p.client = client.New(t)
	p.client.UserAgent = p.Name
	p.w.Trace.Note(p.Name, "start")
	p.start(p)
}

// Crash stops the process at once.
func (p *Process) Crash() {
	if !p.up {
		return
	}
	p.up = false
	p.crashes++
	p.epoch++
	for _, stop := range p.stops {
		stop()
	}
	p.stops = nil
	p.w.Net.cutStreamsOf(p.Name)
	p.w.Trace.Note(p.Name, "crash")
}

// SetClock makes the process's clock read offset ahead of real time from
// now on, and run at rate (1 is real time; 0.5 half as fast, so its timers
// take twice as long). Timers already waiting keep their real durations.
func (p *Process) SetClock(offset time.Duration, rate float64) {
	p.clock.Set(p.w.Loop.Now(), offset, rate)
	p.w.Trace.Detail(p.Name, "clock now reads %+v from real time and runs at %.2f× real speed", offset, p.clock.Rate())
}

// ClockRate returns how fast the process's clock runs (1 is real time).
func (p *Process) ClockRate() float64 { return p.clock.Rate() }

// Loop returns the loop the process's components run on.
func (p *Process) Loop() loop.Loop { return p.loop }

// Client returns the process's API client, which crosses the network.
func (p *Process) Client() *client.Client { return p.client }

// OnCrash registers f to run when the process crashes (components use it to
// release what the world holds for them).
func (p *Process) OnCrash(f func()) { p.stops = append(p.stops, f) }

// processLoop is a process's view of the world's loop: it runs callbacks
// only while the process is up and in the epoch that scheduled them.
type processLoop struct {
	p     *Process
	epoch int
}

func (l *processLoop) live() bool { return l.p.up && l.p.epoch == l.epoch }

func (l *processLoop) Now() time.Time { return l.p.clock.Local(l.p.w.Loop.Now()) }

func (l *processLoop) After(d time.Duration, f func()) loop.Timer {
	return l.p.w.Loop.After(l.p.clock.Base(d), func() {
		if l.live() {
			f()
		}
	})
}

func (l *processLoop) Follow(src loop.Source, f func()) (stop func()) {
	stop = l.p.w.Loop.Follow(src, func() {
		if l.live() {
			f()
		}
	})
	l.p.stops = append(l.p.stops, stop)
	return stop
}
