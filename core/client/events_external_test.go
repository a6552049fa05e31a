package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

func TestRecorderAggregatesRepeats(t *testing.T) {
	ctx := context.Background()
	env := clienttest.New(t, 1, 1)
	c := env.Client
	p, err := client.For[*api.Pod](c).Create(ctx, podOn("web", ""), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := env.Loop
	r := client.NewRecorder(v, c, "scheduler", "")
	r.Eventf(p, client.EventWarning, "FailedScheduling", "0/%d nodes are available", 3)
	v.RunFor(time.Second)
	r.Eventf(p, client.EventWarning, "FailedScheduling", "0/%d nodes are available", 3)
	r.Eventf(p, client.EventNormal, "Scheduled", "assigned to n1")
	l, err := client.For[*api.Event](c).List(ctx, "default", client.ListOptions{FieldSelector: "involvedObject.name=web"})
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

// Two recorders writing about one object at the same instant (two
// components, or one restarted) pick the same name first; neither event is
// lost.
func TestRecordersAtTheSameInstantDoNotCollide(t *testing.T) {
	ctx := context.Background()
	env := clienttest.New(t, 1, 1)
	c := env.Client
	p, err := client.For[*api.Pod](c).Create(ctx, podOn("web", ""), client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	a := client.NewRecorder(env.Loop, c, "kubelet", "n1")
	b := client.NewRecorder(env.Loop, c, "kubelet", "n1") // the same kubelet, restarted
	a.Eventf(p, client.EventNormal, "Pulled", "image pulled")
	b.Eventf(p, client.EventNormal, "Started", "container started")
	l, err := client.For[*api.Event](c).List(ctx, "default", client.ListOptions{FieldSelector: "involvedObject.name=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 2 || a.Dropped+b.Dropped != 0 {
		t.Fatalf("%d events, %d dropped; want both written", len(l.Items), a.Dropped+b.Dropped)
	}
}
