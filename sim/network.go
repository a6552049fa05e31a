package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// APIServer is the network name of the API server, and, when there are
// several, the name that stands for all of them: a partition between a
// process and APIServer cuts it off from every server.
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
//
// With several API servers (AddServer), each process's transport tries
// them in its own order and moves to the next after a failed call: a lost
// request or answer, a partition, a server that is down, or a 503. A watch
// cut re-opens on the server the transport is at.
type Network struct {
	w    *World
	rand *rand.Rand

	// Handler is the API server when no Server was added (a bare world
	// in tests). Set it before the first call.
	Handler func(ctx context.Context, req *rest.Request) *rest.Response
	// servers, when any were added, answer instead of Handler.
	servers     []*Server
	storeOutage bool
	// callCrash arms crash-at-call faults, by process.
	callCrash map[string]*callCrash

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
	// Identity, when set, names the user each process's requests carry:
	// the transport sets rest.Request.User from it on every call, over
	// whatever the process put there, so that no process can choose who
	// it is (the simulator's stand-in for a client certificate). nil
	// sends requests without a user, which the API server does not
	// authorize.
	Identity func(process string) *rest.UserInfo

	// OnDeliver, when set, sees every watch event as it is delivered
	// (the simulator's invariants watch resourceVersions with it).
	// resumed tells whether the watch started from a resourceVersion.
	OnDeliver func(to string, streamID int, resumed bool, ev rest.WatchEvent)

	// CheckShared has the network keep every shared decoded object it
	// delivers (rest.WatchEvent.Decoded), so that VerifyShared can tell
	// whether a process modified one (sharedobjects.go). Tests turn it
	// on; it costs an encoding per object.
	CheckShared bool
	sharedCheck sharedCheck
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
		if n.isBlocked(s.via, s.to) || n.isBlocked(s.to, s.via) {
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

// Cut reports whether name cannot reach the API server or hear from it:
// with several servers, whether that holds for every one of them.
func (n *Network) Cut(name string) bool {
	if len(n.servers) == 0 {
		return n.isBlocked(name, APIServer) || n.isBlocked(APIServer, name)
	}
	for _, s := range n.servers {
		if !n.isBlocked(name, s.Name) && !n.isBlocked(s.Name, name) {
			return false
		}
	}
	return true
}

// isBlocked reports whether traffic from one to the other is blocked,
// directly or through a partition with APIServer (every server).
func (n *Network) isBlocked(from, to string) bool {
	if n.blocked[from+">"+to] {
		return true
	}
	if to != APIServer && n.isServer(to) && n.blocked[from+">"+APIServer] {
		return true
	}
	return from != APIServer && n.isServer(from) && n.blocked[APIServer+">"+to]
}

func (n *Network) roll(p float64) bool { return p > 0 && n.rand.Float64() < p }

func (n *Network) latency() time.Duration {
	d := n.Latency
	if n.Jitter > 0 {
		d += time.Duration(n.rand.Int64N(int64(n.Jitter)))
	}
	return d
}

// Transport returns the client transport of process from. With several
// API servers it holds the process's order of servers and the one it is
// at; a new transport (a restarted process) starts at the first again.
func (n *Network) Transport(from string) client.Transport {
	t := &transport{n: n, from: from, order: n.serverOrder(from)}
	if p := n.w.procs[from]; p != nil {
		t.proc, t.epoch = p, p.epoch
	}
	return t
}

type transport struct {
	n    *Network
	from string
	// order is the servers to try, cur the one the next call goes to.
	order []*Server
	cur   int
	// proc and epoch: the incarnation of the process the transport
	// belongs to. Once it crashed (in the middle of a callback, at an API
	// call), its leftover calls go nowhere.
	proc  *Process
	epoch int
}

// server returns the server the next call goes to (nil without servers).
func (t *transport) server() *Server {
	if len(t.order) == 0 {
		return nil
	}
	return t.order[t.cur]
}

// failOver moves to the next server after a failed call.
func (t *transport) failOver(why string) {
	if len(t.order) < 2 {
		return
	}
	from := t.order[t.cur].Name
	t.cur = (t.cur + 1) % len(t.order)
	t.n.w.Trace.Detail(t.from, "fails over from %s to %s (%s)", from, t.order[t.cur].Name, why)
}

func (t *transport) Do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	n := t.n
	if t.proc != nil && (!t.proc.up || t.proc.epoch != t.epoch) {
		return nil, ErrTimeout // a crashed incarnation: nothing leaves it
	}
	crash := n.crashPoint(t.from)
	if crash != nil && !crash.after {
		n.crashAt(t.from, req, crash)
		return nil, ErrTimeout
	}
	resp, err := t.do(ctx, req)
	if crash != nil {
		n.crashAt(t.from, req, crash)
		return nil, ErrTimeout
	}
	return resp, err
}

func (t *transport) do(ctx context.Context, req *rest.Request) (*rest.Response, error) {
	n := t.n
	n.Calls++
	if n.Identity != nil {
		signed := *req
		signed.User = n.Identity(t.from)
		req = &signed
	}
	srv := t.server()
	to := APIServer
	if srv != nil {
		to = srv.Name
	}
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
	via := n.describe(srv)
	if n.isBlocked(t.from, to) || n.roll(n.Loss) {
		n.w.Trace.Call(t.from, what, "request lost"+via)
		t.failOver("request lost")
		return nil, ErrTimeout
	}
	if srv != nil && !srv.Proc.Up() {
		n.w.Trace.Call(t.from, what, "connection refused, "+srv.Name+" is down")
		t.failOver(srv.Name + " is down")
		return nil, errServerDown
	}
	sent, unwrap := n.staleRequest(t.from, req)
	var resp *rest.Response
	if srv != nil {
		resp = srv.handle(ctx, sent)
	} else {
		resp = n.Handler(ctx, sent)
	}
	if unwrap != nil {
		resp = unwrap(resp)
	}
	var s *stream
	if resp.Stream != nil {
		s = n.newStream(t.from, to, resp.Stream)
		rv := req.Query.Get("resourceVersion")
		s.resumed = rv != "" && rv != "0"
		cp := *resp
		cp.Stream = s
		resp = &cp
	}
	if n.isBlocked(to, t.from) || n.roll(n.LostResponse) {
		if s != nil {
			s.cut("answer lost")
		}
		n.w.Trace.Call(t.from, what, fmt.Sprintf("%d, answer lost%s", resp.Code, via))
		if eventCreated(req, resp) {
			// The caller never learns it, but the Event exists: the story
			// (a pod Started, a scaling step) must not lose it.
			n.noteEvent(t.from, resp.Body, " (recorded; its answer was lost)")
		}
		t.failOver("answer lost")
		return nil, ErrTimeout
	}
	if resp.Code == http.StatusServiceUnavailable {
		defer t.failOver(to + " answered 503")
	}
	if req.Method == "POST" && resp.Code == 201 {
		what += " " + createdName(resp.Body)
	}
	n.w.Trace.Call(t.from, what, fmt.Sprint(resp.Code)+statusReason(resp)+via)
	if eventCreated(req, resp) {
		n.noteEvent(t.from, resp.Body, "")
	}
	return resp, nil
}

// eventCreated reports whether the call created an Event.
func eventCreated(req *rest.Request, resp *rest.Response) bool {
	return req.Method == "POST" && resp.Code == 201 && strings.HasSuffix(req.Path, "/events")
}

// noteEvent puts a created Event in the timeline as a line of its own
// (eventLine, then suffix): a note of the story, or a Detail for the
// routine reasons.
func (n *Network) noteEvent(from string, body []byte, suffix string) {
	reason, line := eventLine(body)
	if routineEvents[reason] {
		n.w.Trace.Detail(from, "%s%s", line, suffix)
	} else {
		n.w.Trace.Note(from, "%s%s", line, suffix)
	}
}

// routineEvents are the Event reasons left out of the story (see
// Trace.Story): the steps of starting a container, which the kubelet's
// "Started" sums up.
var routineEvents = map[string]bool{"Pulling": true, "Pulled": true, "Created": true}

// eventLine renders a recorded Event the way a reader of the timeline
// wants it — "event ScalingReplicaSet deployment/web: Scaled up replica
// set web-7d4b9 from 6 to 9" — so a run's story (each scaling step, each
// kill, each scheduling decision) reads between the API calls. It returns
// the Event's reason too.
func eventLine(body []byte) (reason, line string) {
	var ev struct {
		Reason         string `json:"reason"`
		Message        string `json:"message"`
		InvolvedObject struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"involvedObject"`
	}
	if json.Unmarshal(body, &ev) != nil {
		return "", "event (unreadable)"
	}
	return ev.Reason, fmt.Sprintf("event %s %s/%s: %s", ev.Reason, strings.ToLower(ev.InvolvedObject.Kind), ev.InvolvedObject.Name, ev.Message)
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

// cutStreamsVia ends every watch stream served by the named server.
func (n *Network) cutStreamsVia(server, why string) {
	for _, s := range append([]*stream(nil), n.streams...) {
		if s.via == server {
			s.cut(why)
		}
	}
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
// open and hear the news: served by an API server whose watch cache
// follows the store at its usual pace (not frozen, not slowed by a fault).
func (n *Network) OpenStreams(name string) int {
	count := 0
	for _, s := range n.streams {
		if s.to == name && !s.ended {
			if srv := n.Server(s.via); srv != nil && srv.view != nil && (srv.view.frozen || srv.view.extra > 0) {
				continue
			}
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
