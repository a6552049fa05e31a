package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// APIServer is the network name of the API server.
const APIServer = "apiserver"

// ErrTimeout is what a caller sees when its request or the answer was lost:
// it cannot tell whether the request took effect.
var ErrTimeout = errors.New("request timed out (simulated network)")

// Network carries API calls and watch events between processes and the
// API server.
//
// A call is atomic in virtual time: it reaches the server, is answered, and
// returns within one callback, unless the request is lost (the server never
// sees it) or the answer is lost (the server acted, the caller sees
// ErrTimeout). Watch events are delivered later, after a latency drawn per
// event, in order per stream. A partition between a process and the API
// server fails its calls and cuts its watch streams (the client then
// re-watches, and keeps failing until the partition heals).
type Network struct {
	w    *World
	rand *rand.Rand

	// Handler is the API server. Set it before the first call.
	Handler func(ctx context.Context, req *rest.Request) *rest.Response

	// Latency and Jitter shape watch delivery: each event takes
	// Latency + [0, Jitter).
	Latency, Jitter time.Duration
	// Loss is the probability that a request is lost; LostResponse that
	// its answer is.
	Loss, LostResponse float64

	blocked   map[string]bool  // "from>to"
	stale     map[string]int64 // process -> revision its reads are served at
	streams   []*stream
	streamIDs int

	// Calls counts API calls attempted.
	Calls int
	// OnDeliver, when set, sees every watch event as it is delivered
	// (the simulator's invariants watch resourceVersions with it).
	// resumed tells whether the watch started from a resourceVersion.
	OnDeliver func(to string, streamID int, resumed bool, ev rest.WatchEvent)
}

func newNetwork(w *World) *Network {
	return &Network{w: w, rand: w.Rand("network"), Latency: 5 * time.Millisecond, Jitter: 10 * time.Millisecond, blocked: map[string]bool{}}
}

// Partition blocks traffic from a to b (and from b to a unless oneWay).
func (n *Network) Partition(a, b string, oneWay bool) {
	n.blocked[a+">"+b] = true
	if !oneWay {
		n.blocked[b+">"+a] = true
	}
	n.w.Trace.Note("network", "partition %s %s %s", a, map[bool]string{true: "->", false: "<->"}[oneWay], b)
	for _, s := range append([]*stream(nil), n.streams...) {
		if n.isBlocked(APIServer, s.to) || n.isBlocked(s.to, APIServer) {
			s.cut("partition")
		}
	}
}

// Heal removes the partition between a and b, both ways.
func (n *Network) Heal(a, b string) {
	delete(n.blocked, a+">"+b)
	delete(n.blocked, b+">"+a)
	n.w.Trace.Note("network", "heal %s <-> %s", a, b)
}

// Cut reports whether name cannot reach the API server or hear from it.
func (n *Network) Cut(name string) bool {
	return n.isBlocked(name, APIServer) || n.isBlocked(APIServer, name)
}

func (n *Network) isBlocked(from, to string) bool { return n.blocked[from+">"+to] }

func (n *Network) roll(p float64) bool { return p > 0 && n.rand.Float64() < p }

func (n *Network) latency() time.Duration {
	d := n.Latency
	if n.Jitter > 0 {
		d += time.Duration(n.rand.Int64N(int64(n.Jitter)))
	}
	return d
}

// Transport returns the client transport of process from.
func (n *Network) Transport(from string) client.Transport { return &transport{n: n, from: from} }

type transport struct {
	n    *Network
	from string
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	n := t.n
	n.Calls++
	what := req.Method + " " + req.Path
	if len(req.Query) > 0 {
		q := url.Values{}
		for k, v := range req.Query {
			if k != "fieldValidation" { // on every typed write: noise
				q[k] = v
			}
		}
		if enc := q.Encode(); enc != "" {
			what += "?" + enc
		}
	}
	if n.isBlocked(t.from, APIServer) || n.roll(n.Loss) {
		n.w.Trace.Call(t.from, what, "request lost")
		return nil, ErrTimeout
	}
	sent, unwrap := n.staleRequest(t.from, req)
	resp := n.Handler(ctx, sent)
	if unwrap != nil {
		resp = unwrap(resp)
	}
	var s *stream
	if resp.Stream != nil {
		s = n.newStream(t.from, resp.Stream)
		rv := req.Query.Get("resourceVersion")
		s.resumed = rv != "" && rv != "0"
		cp := *resp
		cp.Stream = s
		resp = &cp
	}
	if n.isBlocked(APIServer, t.from) || n.roll(n.LostResponse) {
		if s != nil {
			s.cut("answer lost")
		}
		n.w.Trace.Call(t.from, what, fmt.Sprintf("%d, answer lost", resp.Code))
		return nil, ErrTimeout
	}
	if req.Method == "POST" && resp.Code == 201 {
		what += " " + createdName(resp.Body)
	}
	n.w.Trace.Call(t.from, what, fmt.Sprint(resp.Code)+statusReason(resp))
	if req.Method == "POST" && resp.Code == 201 && strings.HasSuffix(req.Path, "/events") {
		n.w.Trace.Note(t.from, "%s", eventLine(resp.Body))
	}
	return resp, nil
}

// eventLine renders a recorded Event the way a reader of the timeline
// wants it — "event ScalingReplicaSet deployment/web: Scaled up replica
// set web-7d4b9 from 6 to 9" — so a run's story (each scaling step, each
// kill, each scheduling decision) reads between the API calls.
func eventLine(body []byte) string {
	var ev struct {
		Reason         string `json:"reason"`
		Message        string `json:"message"`
		InvolvedObject struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"involvedObject"`
	}
	if json.Unmarshal(body, &ev) != nil {
		return "event (unreadable)"
	}
	return fmt.Sprintf("event %s %s/%s: %s", ev.Reason, strings.ToLower(ev.InvolvedObject.Kind), ev.InvolvedObject.Name, ev.Message)
}

// createdName finds metadata.name in an encoded object without decoding
// it: metadata comes first in every served kind, and within it "name" is
// the first key called that (labels and annotations come after it).
func createdName(body []byte) string {
	b := string(body)
	i := strings.Index(b, `"metadata":{`)
	if i < 0 {
		return ""
	}
	rest := b[i:]
	const key = `"name":"`
	j := strings.Index(rest, key)
	if j < 0 {
		return ""
	}
	rest = rest[j+len(key):]
	if k := strings.IndexByte(rest, '"'); k >= 0 {
		return rest[:k]
	}
	return ""
}

// statusReason appends the reason of a failed answer to the trace line.
func statusReason(resp *rest.Response) string {
	if resp.Code < 400 {
		return ""
	}
	b := string(resp.Body)
	if i := strings.Index(b, `"reason":"`); i >= 0 {
		rest := b[i+len(`"reason":"`):]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			return " " + rest[:j]
		}
	}
	return ""
}

// cutStreamsOf ends every watch stream of a process.
func (n *Network) cutStreamsOf(name string) {
	for _, s := range append([]*stream(nil), n.streams...) {
		if s.to == name {
			s.cut("process crashed")
		}
	}
}

// OpenStreams returns how many watch streams of the named process are
// open.
func (n *Network) OpenStreams(name string) int {
	count := 0
	for _, s := range n.streams {
		if s.to == name && !s.ended {
			count++
		}
	}
	return count
}

// CutStreams ends every watch stream of the named process (a fault: the
// client must notice and watch again), or of every process when name is "".
func (n *Network) CutStreams(name string) {
	for _, s := range append([]*stream(nil), n.streams...) {
		if name == "" || s.to == name {
			s.cut("cut")
		}
	}
}
