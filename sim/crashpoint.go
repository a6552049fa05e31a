package sim

import "github.com/tinykube/tinykube/core/rest"

// callCrash is an armed crash-at-call fault: the process crashes at its
// k-th API call from now on, just before sending it or just after the
// server acted on it (the answer is lost with the process).
type callCrash struct {
	k, seen int
	after   bool
	then    func()
}

// CrashAtCall arms a crash of process at its k-th API call from now on
// (counting calls of every incarnation): just before the call leaves, or,
// when after, just after the server handled it, so that its answer is lost.
// then runs after the crash (to schedule a restart). Arming again replaces
// the previous point; disarm removes it if it has not fired.
func (n *Network) CrashAtCall(process string, k int, after bool, then func()) (disarm func()) {
	if n.callCrash == nil {
		n.callCrash = map[string]*callCrash{}
	}
	cc := &callCrash{k: k, after: after, then: then}
	n.callCrash[process] = cc
	return func() {
		if n.callCrash[process] == cc {
			delete(n.callCrash, process)
			n.w.Trace.Note(process, "made fewer than %d API calls: the crash point expires", k)
		}
	}
}

// crashPoint counts a call of process and returns the armed point when
// this call is the one to crash at.
func (n *Network) crashPoint(process string) *callCrash {
	cc := n.callCrash[process]
	if cc == nil {
		return nil
	}
	cc.seen++
	if cc.seen < cc.k {
		return nil
	}
	delete(n.callCrash, process)
	return cc
}

// crashAt crashes process at req and runs the fault's then. The process's
// leftover code still runs to the end of the current callback, but its
// transport sends nothing more (see transport.Do).
func (n *Network) crashAt(process string, req *rest.Request, cc *callCrash) {
	p := n.w.procs[process]
	if p == nil || !p.up {
		return
	}
	when := "just before"
	if cc.after {
		when = "just after (its answer lost)"
	}
	n.w.Trace.Note(process, "crashes %s its API call %s %s", when, req.Method, req.Path)
	p.Crash()
	if cc.then != nil {
		cc.then()
	}
}
