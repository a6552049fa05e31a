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
	r.seq++
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
		ObjectMeta:     api.ObjectMeta{Name: fmt.Sprintf("%s.%x%04x", meta.Name, r.loop.Now().UnixNano(), r.seq%0x10000), Namespace: ns},
		InvolvedObject: ref,
		Reason:         reason,
		Message:        msg,
		Source:         api.EventSource{Component: r.component, Host: r.host},
		FirstTimestamp: now,
		LastTimestamp:  now,
		Count:          1,
		Type:           typ,
	}
	_, err := events.Create(ctx, ev, WriteOptions{})
	if api.IsAlreadyExists(err) {
		// Another recorder (or this component before a restart at the same
		// instant) took the name: names are only time and a counter.
		r.seq++
		ev.Name = fmt.Sprintf("%s.%x%04x", meta.Name, r.loop.Now().UnixNano(), r.seq%0x10000)
		_, err = events.Create(ctx, ev, WriteOptions{})
	}
	if err != nil {
		r.Dropped++
		return
	}
	r.seen[key] = &seenEvent{namespace: ns, name: ev.Name, count: 1}
}
