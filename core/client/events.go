package client

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/rest"
)

// Event types.
const (
	EventNormal  = "Normal"
	EventWarning = "Warning"
)

// Recorder writes Events about objects — what `tinykube describe` shows
// under "Events:". A repeat of the same reason and message about the same
// object bumps the count of the Event already written instead of writing
// another, as Kubernetes' event correlator does. Events are best effort: a
// failed write is counted in Dropped and otherwise ignored, never retried.
type Recorder struct {
	loop      loop.Loop
	client    *Client
	component string
	host      string
	seq       int
	seen      map[string]*seenEvent
	// Dropped counts events that could not be written.
	Dropped int
	// Offload, when set, writes new Events off the loop (loop.Offload)
	// on loops that can, as Kubernetes' event broadcaster writes them
	// from a goroutine of its own: the component goes on at once. The
	// bumps of a repeated Event's count stay on the loop. On loops that
	// cannot offload (the simulator's) nothing changes.
	Offload bool
}

type seenEvent struct {
	namespace, name string
	count           int32
}

// NewRecorder returns a recorder that signs its events as component (and
// host, for node components).
func NewRecorder(l loop.Loop, c *Client, component, host string) *Recorder {
	return &Recorder{loop: l, client: c, component: component, host: host, seen: map[string]*seenEvent{}}
}

// Eventf records an event of type EventNormal or EventWarning about obj.
func (r *Recorder) Eventf(obj api.Object, typ, reason, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	meta := obj.GetObjectMeta()
	ns := meta.Namespace
	if ns == "" {
		ns = "default"
	}
	ctx := context.Background()
	now := api.NewTime(r.loop.Now())
	key := meta.UID + "\x00" + typ + "\x00" + reason + "\x00" + msg
	events := For[*api.Event](r.client)
	if s, ok := r.seen[key]; ok {
		s.count++
		patch, _ := json.Marshal(map[string]any{"count": s.count, "lastTimestamp": now})
		if _, err := events.Patch(ctx, s.namespace, s.name, rest.ContentMergePatch, patch, "", WriteOptions{}); err == nil {
			return
		}
		delete(r.seen, key) // gone (or unreachable): write a new one
	}
	name := r.nextName(meta.Name)
	res := api.ResourceOf(obj)
	ref := api.ObjectReference{Namespace: meta.Namespace, Name: meta.Name, UID: meta.UID, ResourceVersion: meta.ResourceVersion}
	if res != nil {
		ref.Kind, ref.APIVersion = res.Kind, res.APIVersion()
	} else if tm := obj.GetTypeMeta(); tm.Kind != "" {
		// A kind outside the built-in table (an operator's custom
		// resource) names itself, as read from the API.
		ref.Kind, ref.APIVersion = tm.Kind, tm.APIVersion
	}
	ev := &api.Event{
		ObjectMeta:     api.ObjectMeta{Name: name, Namespace: ns},
		InvolvedObject: ref,
		Reason:         reason,
		Message:        msg,
		Source:         api.EventSource{Component: r.component, Host: r.host},
		FirstTimestamp: now,
		LastTimestamp:  now,
		Count:          1,
		Type:           typ,
	}
	if _, can := r.loop.(loop.Offloader); !r.Offload || !can {
		err := createEvent(ctx, events, ev, func() string { return r.nextName(meta.Name) })
		r.written(key, ns, ev.Name, err)
		return
	}
	// Off the loop: the second name is chosen here, on the loop, which
	// owns the counter.
	second := r.nextName(meta.Name)
	var err error
	loop.Offload(r.loop, func() { err = createEvent(ctx, events, ev, func() string { return second }) },
		func() { r.written(key, ns, ev.Name, err) })
}

// nextName names a new Event about the object called obj: the time and
// the recorder's counter, which it advances.
func (r *Recorder) nextName(obj string) string {
	r.seq++
	return fmt.Sprintf("%s.%x%04x", obj, r.loop.Now().UnixNano(), r.seq%0x10000)
}

// createEvent writes ev, and once more named second() when its name is
// taken: another recorder (or this component before a restart at the same
// instant) took it, since names are only time and a counter.
func createEvent(ctx context.Context, events Resource[*api.Event], ev *api.Event, second func() string) error {
	_, err := events.Create(ctx, ev, WriteOptions{})
	if api.IsAlreadyExists(err) {
		ev.Name = second()
		_, err = events.Create(ctx, ev, WriteOptions{})
	}
	return err
}

// written notes the outcome of writing a new Event named name in ns for
// key: counted in Dropped on failure, else remembered for repeats.
func (r *Recorder) written(key, ns, name string, err error) {
	if err != nil {
		r.Dropped++
		return
	}
	r.seen[key] = &seenEvent{namespace: ns, name: name, count: 1}
}
