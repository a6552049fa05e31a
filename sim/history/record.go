package history

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// Op is one API call as its client saw it.
type Op struct {
	Process string
	// Call and Return are when the call was made and when its answer (or
	// the error that stands for a missing answer) came back, on the clock
	// the Recorder was given: virtual time in the simulator.
	Call, Return time.Time
	// CallSeq and ReturnSeq order every call and return the Recorder saw.
	// The simulator delivers a call and its answer at the same virtual
	// instant, so instants cannot say which of two calls came first; these
	// numbers can, and the checker orders operations by them.
	CallSeq, ReturnSeq int64

	Method, Path string
	Query        url.Values
	ContentType  string
	Body         []byte

	// Code and Answer are the server's answer. Unknown is set instead when
	// the transport returned an error: the request or its answer was lost,
	// and the operation may or may not have taken effect.
	Code    int
	Answer  []byte
	Unknown bool
	Err     string
}

// Recorder records the API calls of every client whose transport it
// wraps. It is safe for concurrent use (real machines call from many
// goroutines; the simulator from one).
type Recorder struct {
	now func() time.Time

	mu  sync.Mutex
	seq int64
	ops []Op
}

// NewRecorder returns a recorder that reads instants from now.
func NewRecorder(now func() time.Time) *Recorder { return &Recorder{now: now} }

// Wrap returns t, recording every call process makes through it except
// watches (a watch is a stream, not an operation with one answer). Its
// signature is sim.World.WrapTransport's:
//
//	w.WrapTransport = rec.Wrap
func (r *Recorder) Wrap(process string, t client.Transport) client.Transport {
	return &recording{r: r, process: process, next: t}
}

// History returns a copy of the operations recorded so far, in the order
// their calls were made.
func (r *Recorder) History() []Op {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Op(nil), r.ops...)
}

// Len returns how many operations were recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ops)
}

type recording struct {
	r       *Recorder
	process string
	next    client.Transport
}

func (t *recording) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	if isWatch(req) {
		return t.next.Do(ctx, req)
	}
	r := t.r
	op := Op{
		Process: t.process, Method: req.Method, Path: req.Path, Query: cloneQuery(req.Query),
		ContentType: req.ContentType, Body: append([]byte(nil), req.Body...),
	}
	r.mu.Lock()
	r.seq++
	op.CallSeq = r.seq
	op.Call = r.now()
	// The slot is taken at the call, so History lists calls in order even
	// when answers come back out of order.
	i := len(r.ops)
	r.ops = append(r.ops, op)
	r.mu.Unlock()

	resp, err := t.next.Do(ctx, req)

	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	o := &r.ops[i]
	o.ReturnSeq = r.seq
	o.Return = r.now()
	if err != nil {
		o.Unknown, o.Err = true, err.Error()
		return resp, err
	}
	o.Code, o.Answer = resp.Code, resp.Body
	return resp, nil
}

func isWatch(req *rest.Request) bool {
	v := strings.ToLower(req.Query.Get("watch"))
	return v == "true" || v == "1"
}

func cloneQuery(q url.Values) url.Values {
	if q == nil {
		return nil
	}
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
