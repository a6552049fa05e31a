package history

import (
	"fmt"
	"net/http"

	"github.com/anishathalye/porcupine"
)

// state is what the model knows of one object.
type state struct {
	present bool
	// marked: the object has a deletionTimestamp (a delete is waiting for
	// its finalizers or its grace period).
	marked bool
	// rv is the object's resourceVersion; 0 when a write whose answer was
	// never seen moved it: it is then some number above max.
	rv int64
	// max is the highest resourceVersion seen on the key so far (a write
	// or a delete); every later write gets a higher one.
	max int64
}

func (s state) String() string {
	if !s.present {
		if s.max == 0 {
			return "absent"
		}
		return fmt.Sprintf("absent (last rv %d)", s.max)
	}
	m := ""
	if s.marked {
		m = ", marked for deletion"
	}
	if s.rv == 0 {
		return fmt.Sprintf("present, rv unknown (> %d)%s", s.max, m)
	}
	return fmt.Sprintf("present, rv %d%s", s.rv, m)
}

// unseen is the state of an object present after a write whose
// resourceVersion was not seen.
func unseen(marked bool, max int64) state { return state{present: true, marked: marked, max: max} }

// gone is the state of an object removed, at a resourceVersion seen
// (0: not seen, then max is what was seen before).
func gone(max int64) state { return state{max: max} }

// seen is the state of an object present at a resourceVersion seen.
func seen(rv int64, marked bool) state { return state{present: true, marked: marked, rv: rv, max: rv} }

// at reports whether the object can be at version rv (marked or not) now,
// and the state that learns it: a known rv must match; an unknown one can
// be any rv above max.
func (s state) at(rv int64, marked bool) (state, bool) {
	if !s.present || s.marked != marked {
		return s, false
	}
	if s.rv != 0 {
		return s, s.rv == rv
	}
	if rv > s.max {
		return seen(rv, marked), true
	}
	return s, false
}

// newer reports whether rv can be a new write's resourceVersion: above
// every one seen on the key.
func (s state) newer(rv int64) bool { return rv > s.max && (s.rv == 0 || rv > s.rv) }

// preOK returns the state in which a write's resourceVersion precondition
// holds, if it can.
func (s state) preOK(p precondition) (state, bool) {
	if p.rv == 0 || !s.present {
		return s, s.present
	}
	return s.at(p.rv, s.marked)
}

// step returns every state the object can be in after in answered out,
// from s; none when the answer is impossible from s. An object the server
// writes on its own may first have moved to a version never seen.
func step(s state, in input, out output) []state {
	next := stepFrom(s, in, out)
	if in.serverWrites && s.present {
		next = append(next, stepFrom(unseen(s.marked, max(s.max, s.rv)), in, out)...)
	}
	return next
}

func stepFrom(s state, in input, out output) []state {
	if out.unknown {
		return append([]state{s}, effects(s, in)...)
	}
	code := out.code
	switch {
	case code == http.StatusNotFound:
		// An update, delete or binding reads the object first; a create
		// answers 404 only for a missing namespace.
		if in.kind == kindCreate || !s.present {
			return []state{s}
		}
		return nil
	case code == http.StatusConflict:
		return conflict(s, in)
	case code == http.StatusTooManyRequests && in.kind == kindEvict:
		// A budget refused the eviction: it read the pod, so the pod is
		// there.
		if s.present {
			return []state{s}
		}
		return nil
	case code >= 300:
		// Refused (invalid, forbidden, bad request): no effect, and
		// nothing the model can judge.
		return []state{s}
	}
	switch in.kind {
	case kindGet:
		if n, ok := s.at(out.rv, out.marked); ok {
			return []state{n}
		}
	case kindCreate:
		if !s.present && s.newer(out.rv) {
			return []state{seen(out.rv, out.marked)}
		}
	case kindBind:
		if s.present && !s.marked {
			return []state{unseen(false, s.max)}
		}
	case kindEvict:
		// The pod was deleted: marked (a grace period, finalizers) or
		// removed, at a resourceVersion the Status does not show.
		if cur, ok := s.preOK(in.pre); ok {
			next := []state{unseen(true, cur.max), gone(cur.max)}
			if cur.marked {
				// Evicting a pod already being deleted writes nothing.
				next = append(next, cur)
			}
			return next
		}
	case kindUpdate, kindDelete:
		cur, ok := s.preOK(in.pre)
		if !ok {
			return nil
		}
		// The same resourceVersion back: nothing changed, nothing was
		// written (an update with no change, a delete of an object
		// already marked). Otherwise a new write, which may have removed
		// the object: an update removes it only if it was marked.
		var next []state
		if n, ok := cur.at(out.rv, out.marked); ok && out.fate != removed {
			next = append(next, n)
		}
		if cur.newer(out.rv) {
			if out.fate != removed {
				next = append(next, seen(out.rv, out.marked || in.kind == kindDelete))
			}
			if out.fate != stays && (in.kind == kindDelete || cur.marked) {
				next = append(next, gone(out.rv))
			}
		}
		return next
	}
	return nil
}

// effects returns the states an operation whose answer was never seen can
// leave the object in, if it took effect.
func effects(s state, in input) []state {
	if in.kind == kindCreate && !s.present {
		return []state{unseen(false, s.max)}
	}
	cur, ok := s.preOK(in.pre)
	if !ok {
		return nil
	}
	switch in.kind {
	case kindUpdate:
		if cur.marked {
			return []state{unseen(true, cur.max), gone(cur.max)}
		}
		return []state{unseen(false, cur.max)}
	case kindDelete, kindEvict:
		return []state{unseen(true, cur.max), gone(cur.max)}
	case kindBind:
		if !cur.marked {
			return []state{unseen(false, cur.max)}
		}
	}
	return nil
}

// conflict judges a 409: AlreadyExists for a create of an object that is
// there; for a write, a resourceVersion precondition that does not hold.
func conflict(s state, in input) []state {
	switch {
	case !s.present:
		return nil
	case in.kind == kindCreate, in.anyConflict, in.pre.any:
		return []state{s}
	case in.kind == kindUpdate || in.kind == kindDelete:
		if in.pre.rv == 0 {
			return nil // no precondition: the server retries, it never answers Conflict
		}
		if s.rv == 0 || s.rv != in.pre.rv {
			return []state{s}
		}
	}
	return nil
}

// model is the porcupine model of one object. initial is the set of
// states the object may start in.
func model(initial []state, describeOp func(in input, out output) string) porcupine.Model {
	nd := porcupine.NondeterministicModel{
		Init: func() []any {
			out := make([]any, len(initial))
			for i, s := range initial {
				out[i] = s
			}
			return out
		},
		Step: func(st, in, out any) []any {
			next := step(st.(state), in.(input), out.(output))
			res := make([]any, len(next))
			for i, s := range next {
				res[i] = s
			}
			return res
		},
		Equal: func(a, b any) bool { return a.(state) == b.(state) },
		Hash: func(st any) uint64 {
			s := st.(state)
			h := uint64(s.rv)*0x9E3779B97F4A7C15 ^ uint64(s.max)*0xC2B2AE3D27D4EB4F
			if s.present {
				h ^= 1
			}
			if s.marked {
				h ^= 2
			}
			return h
		},
		DescribeOperation: func(in, out any) string { return describeOp(in.(input), out.(output)) },
		DescribeState:     func(st any) string { return st.(state).String() },
	}
	return nd.ToModel()
}
