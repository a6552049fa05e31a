package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"
	"time"
)

// Trace records what happened in a run: one entry per API call, fault and
// notable component event, stamped with virtual time. Two runs of the same
// scenario and seed produce the same trace, byte for byte; Hash makes that
// cheap to compare.
type Trace struct {
	w       *World
	entries []entry
	// Verbose keeps every API call; otherwise reads (GET, list, watch) are
	// left out of the timeline, which keeps writes, faults and notes.
	Verbose bool
	// Only, when not empty, keeps the timeline to the lines of these
	// writers: a process name, or the start of names ("scheduler" keeps
	// scheduler-1 and scheduler-2, "kubelet" every node's kubelet).
	// Faults and checks are always kept: they are the run's story.
	Only []string
	// Story keeps the timeline to the lines a reader follows the run by:
	// faults, checks and verdicts, the network's partitions and heals,
	// process crashes and starts, leader changes, and the Events the
	// components record (scaling steps, pod creations and deletions,
	// bindings with their node, evictions, kills), less the routine steps
	// of starting a container (see routineEvents). It leaves out every API
	// call, Verbose or not, and the notes of mechanics (Detail: watch
	// streams cut, fail-overs). Only still applies.
	Story bool
	h     interface{ Write([]byte) (int, error) }
}

type entry struct {
	at     time.Duration
	who    string
	text   string
	isCall bool
	read   bool
	// detail marks a note about mechanics, left out of the story.
	detail bool
}

func newTrace(w *World) *Trace {
	h := fnv.New64a()
	return &Trace{w: w, h: h}
}

// Note records a line about who (a process, "network", "fault", "check").
func (t *Trace) Note(who, format string, args ...any) {
	t.add(entry{at: t.w.Elapsed(), who: who, text: fmt.Sprintf(format, args...)})
}

// Detail records a note about how the machinery got somewhere (a watch
// stream cut, a fail-over to another server): it is in the timeline and
// the hash like any note, and left out of the story (see Story).
func (t *Trace) Detail(who, format string, args ...any) {
	t.add(entry{at: t.w.Elapsed(), who: who, text: fmt.Sprintf(format, args...), detail: true})
}

// Call records an API call and its result.
func (t *Trace) Call(who, what, result string) {
	read := len(what) >= 4 && what[:4] == "GET "
	t.add(entry{at: t.w.Elapsed(), who: who, text: what + " -> " + result, isCall: true, read: read})
}

func (t *Trace) add(e entry) {
	t.entries = append(t.entries, e)
	fmt.Fprintf(t.h, "%d|%s|%s\n", e.at, e.who, e.text)
}

// Len returns the number of entries.
func (t *Trace) Len() int { return len(t.entries) }

// Hash returns a hash of every entry so far: equal hashes mean equal
// traces.
func (t *Trace) Hash() uint64 { return t.h.(interface{ Sum64() uint64 }).Sum64() }

// WriteTimeline writes the compact text timeline: one line per entry,
// "  12.345s  kubelet/n1       PUT …/pods/web-x/status -> 200". Reads are
// left out unless Verbose; with Story, only the story's lines are
// written, each exactly as the full timeline has it.
func (t *Trace) WriteTimeline(w io.Writer) error {
	var b bytes.Buffer
	for _, e := range t.entries {
		if e.read && !t.Verbose || !t.kept(e.who) || t.Story && (e.isCall || e.detail) {
			continue
		}
		fmt.Fprintf(&b, "%10.3fs  %-18s %s\n", e.at.Seconds(), e.who, e.text)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// kept reports whether the timeline shows who's lines (see Only).
func (t *Trace) kept(who string) bool {
	if len(t.Only) == 0 || who == "fault" || who == "check" {
		return true
	}
	for _, o := range t.Only {
		if strings.HasPrefix(who, o) {
			return true
		}
	}
	return false
}

// chromeEvent is one event of the Chrome trace-event format, which
// Perfetto (ui.perfetto.dev) and chrome://tracing open.
type chromeEvent struct {
	Name  string            `json:"name"`
	Phase string            `json:"ph"`
	TS    int64             `json:"ts"` // microseconds
	PID   int               `json:"pid"`
	TID   int               `json:"tid"`
	Scope string            `json:"s,omitempty"`
	Args  map[string]string `json:"args,omitempty"`
}

// WriteChrome writes the trace as Chrome trace-event JSON, one track per
// process (and one each for the network, faults and checks).
func (t *Trace) WriteChrome(w io.Writer) error {
	tracks := map[string]int{}
	var names []string
	for _, e := range t.entries {
		if _, ok := tracks[e.who]; !ok {
			tracks[e.who] = 0
			names = append(names, e.who)
		}
	}
	sort.Strings(names)
	events := []chromeEvent{}
	for i, n := range names {
		tracks[n] = i + 1
		events = append(events, chromeEvent{Name: "thread_name", Phase: "M", PID: 1, TID: i + 1, Args: map[string]string{"name": n}})
	}
	events = append(events, chromeEvent{Name: "process_name", Phase: "M", PID: 1, Args: map[string]string{"name": fmt.Sprintf("tinykube sim (seed %d)", t.w.Seed)}})
	for _, e := range t.entries {
		name := e.text
		if len(name) > 80 {
			name = name[:80] + "…"
		}
		events = append(events, chromeEvent{Name: name, Phase: "i", Scope: "t", TS: e.at.Microseconds(), PID: 1, TID: tracks[e.who],
			Args: map[string]string{"detail": e.text}})
	}
	enc := json.NewEncoder(w)
	return enc.Encode(map[string]any{"traceEvents": events, "displayTimeUnit": "ms"})
}
