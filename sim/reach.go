package sim

import (
	"errors"
	"fmt"
)

// ErrProcessDown is what a caller sees when the process it calls is not
// running: the connection is refused.
var ErrProcessDown = errors.New("connection refused (simulated process down)")

// Reach carries one call from process from straight to process to,
// without an API server in between: an API server asking a kubelet's own
// server for something (its stats summary, as Kubernetes' API server and
// metrics-server reach port 10250). Like an API call it is atomic in
// virtual time and meets the same faults: it fails with ErrTimeout when
// the request is lost (a partition from → to, or Loss) or the answer is
// (a partition to → from, or LostResponse; the callee did act), and with
// ErrProcessDown when to is not running. Otherwise it runs answer — the
// callee's handler, on the one thread every process shares — and returns
// its error. what names the call in the trace ("GET /stats/summary").
func (n *Network) Reach(from, to, what string, answer func() error) error {
	if n.isBlocked(from, to) || n.roll(n.Loss) {
		n.w.Trace.Call(from, what+" to "+to, "request lost")
		return ErrTimeout
	}
	if p := n.w.procs[to]; p == nil || !p.Up() {
		n.w.Trace.Call(from, what+" to "+to, "connection refused, "+to+" is down")
		return ErrProcessDown
	}
	err := answer()
	if n.isBlocked(to, from) || n.roll(n.LostResponse) {
		n.w.Trace.Call(from, what+" to "+to, "answer lost")
		return ErrTimeout
	}
	result := "ok"
	if err != nil {
		result = fmt.Sprintf("failed: %v", err)
	}
	n.w.Trace.Call(from, what+" to "+to, result)
	return err
}
