package client

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/loop"
	"github.com/tinykube/tinykube/core/store"
)

func TestRecorderAggregatesRepeats(t *testing.T) {
	ctx := context.Background()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: t0}, Rand: rand.New(rand.NewPCG(1, 1))})
	srv.Bootstrap(ctx)
	c := New(Local(srv.Handle))
	p, err := For[*api.Pod](c).Create(ctx, podOn("web", ""), WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := loop.NewVirtual(t0)
	r := NewRecorder(v, c, "scheduler", "")
	r.Eventf(p, EventWarning, "FailedScheduling", "0/%d nodes are available", 3)
	v.RunFor(time.Second)
	r.Eventf(p, EventWarning, "FailedScheduling", "0/%d nodes are available", 3)
	r.Eventf(p, EventNormal, "Scheduled", "assigned to n1")
	l, err := For[*api.Event](c).List(ctx, "default", ListOptions{FieldSelector: "involvedObject.name=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 2 {
		t.Fatalf("events = %d, want 2 (a repeat is counted, not duplicated)", len(l.Items))
	}
	for _, e := range l.Items {
		want := int32(1)
		if e.Reason == "FailedScheduling" {
			want = 2
		}
		if e.Count != want || e.InvolvedObject.Kind != "Pod" || e.InvolvedObject.UID != p.UID || e.Source.Component != "scheduler" {
			t.Errorf("event %s: count=%d involved=%+v source=%+v", e.Reason, e.Count, e.InvolvedObject, e.Source)
		}
	}
}
