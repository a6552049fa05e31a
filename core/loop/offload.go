package loop

// Offloader is implemented by loops that can run blocking work — an API
// call — away from the loop, so that the loop goes on with other callbacks
// meanwhile, and then continue on the loop with its result. realnode's
// loops do, on goroutines of their own; the simulator's do not (its
// processes are callbacks on one thread, and an API call there returns at
// once in virtual time).
type Offloader interface {
	// Offload runs work, perhaps on another goroutine, and then runs then
	// on the loop. work must not touch anything the loop's callbacks own:
	// it hands its results to then, which may.
	Offload(work, then func())
}

// Offload runs work and then then, through l if it is an Offloader, else
// both at once, in order, before returning: on a loop that cannot offload
// (the simulator's), offloaded work behaves exactly as a direct call. A
// caller that needs to know which happened notes, in then, whether
// Offload has returned yet.
func Offload(l Loop, work, then func()) {
	if o, ok := l.(Offloader); ok {
		o.Offload(work, then)
		return
	}
	work()
	then()
}
