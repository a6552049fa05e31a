package loop

import "time"

// Loop runs a component's callbacks, one at a time.
type Loop interface {
	// Now returns the loop's current time.
	Now() time.Time
	// After runs f on the loop once d has passed. With d <= 0 it runs f as
	// soon as the callbacks already due have run. Stop the returned Timer
	// to cancel f.
	After(d time.Duration, f func()) Timer
	// Follow runs f on the loop whenever src signals that it may have
	// something new (a watch stream with events, or one that ended), and
	// once at the start. f must drain src. The returned func stops
	// following.
	Follow(src Source, f func()) (stop func())
}

// Timer is a callback waiting to run.
type Timer interface {
	// Stop cancels the callback. It reports whether the callback was still
	// waiting (false: it already ran or was stopped).
	Stop() bool
}

// Source is anything that signals when it has news: watch streams
// (rest.Stream, store.Watcher, client.Watch) all are.
type Source interface {
	Ready() <-chan struct{}
}

// Notifier is implemented by sources that can call back directly instead
// of signalling a channel. The simulator's streams do: it has one thread and
// cannot block on a channel, so it follows these instead.
type Notifier interface {
	// OnReady registers f to be called (on the caller's thread, at once)
	// whenever the source gets news. The returned func unregisters it.
	OnReady(f func()) (cancel func())
}
