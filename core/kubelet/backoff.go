package kubelet

import (
	"strings"
	"time"
)

// backOff spaces out retries of something that keeps failing — a
// container that keeps crashing, an image that cannot be pulled — as
// Kubernetes' flowcontrol.Backoff does: the first retry is immediate, the
// next waits initial, then the wait doubles up to max.
type backOff struct {
	initial, max time.Duration
	entries      map[string]*backOffEntry
}

type backOffEntry struct {
	delay time.Duration
}

func newBackOff(initial, max time.Duration) *backOff {
	return &backOff{initial: initial, max: max, entries: map[string]*backOffEntry{}}
}

// wait returns how much longer a retry of key must wait after a failure
// at since (0: retry now), and the delay that applies.
func (b *backOff) wait(key string, since, now time.Time) (remaining, delay time.Duration) {
	e := b.entries[key]
	if e == nil {
		return 0, 0
	}
	if left := since.Add(e.delay).Sub(now); left > 0 {
		return left, e.delay
	}
	return 0, e.delay
}

// next records a retry of key: the next failure waits initial, or twice
// what the last one waited, up to max. It returns that delay.
func (b *backOff) next(key string) time.Duration {
	e := b.entries[key]
	if e == nil {
		e = &backOffEntry{delay: b.initial}
		b.entries[key] = e
		return e.delay
	}
	e.delay *= 2
	if e.delay > b.max {
		e.delay = b.max
	}
	return e.delay
}

// delay returns the delay key's next failure waits (0: none yet).
func (b *backOff) delay(key string) time.Duration {
	if e := b.entries[key]; e != nil {
		return e.delay
	}
	return 0
}

// set makes d the delay of key's next failure (0 forgets key).
func (b *backOff) set(key string, d time.Duration) {
	if d <= 0 {
		delete(b.entries, key)
		return
	}
	b.entries[key] = &backOffEntry{delay: d}
}

// reset forgets key's failures.
func (b *backOff) reset(key string) { delete(b.entries, key) }

// forget drops every entry of a pod (keys are podUID/container).
func (b *backOff) forget(podUID string) {
	for k := range b.entries {
		if strings.HasPrefix(k, podUID+"/") {
			delete(b.entries, k)
		}
	}
}
