package clusterautoscaler

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

// fakeCloud is a provider that records calls and never boots anything.
type fakeCloud struct {
	group NodeGroup
	calls []string
}

func (f *fakeCloud) NodeGroups() []NodeGroup { return []NodeGroup{f.group} }
func (f *fakeCloud) NodeGroupForNode(n *api.Node) string {
	if strings.HasPrefix(n.Name, f.group.ID+"-") {
		return f.group.ID
	}
	return ""
}
func (f *fakeCloud) IncreaseSize(g string, d int) error {
	f.calls = append(f.calls, fmt.Sprintf("increase %s %d", g, d))
	f.group.TargetSize += d
	return nil
}
func (f *fakeCloud) DecreaseTargetSize(g string, d int) error {
	f.calls = append(f.calls, fmt.Sprintf("decrease %s %d", g, d))
	f.group.TargetSize -= d
	return nil
}
func (f *fakeCloud) DeleteNodes(g string, nodes []string) error {
	f.calls = append(f.calls, fmt.Sprintf("delete %s %v", g, nodes))
	f.group.TargetSize -= len(nodes)
	return nil
}

// An unschedulable pod makes the autoscaler ask for a node, tell the pod,
// and report in its status; a node that never registers is given up on
// after MaxNodeProvisionTime and its group backed off.
func TestScaleUpAndGiveUp(t *testing.T) {
	e := clienttest.New(t, 1, 2)
	ctx := context.Background()
	c := client.New(e.Transport)
	cloud := &fakeCloud{group: NodeGroup{ID: "small", MinSize: 0, MaxSize: 3, Template: node("t", 2, 4)}}
	a := New(Config{Loop: e.Loop, Client: c, Recorder: client.NewRecorder(e.Loop, c, "cluster-autoscaler", ""), Provider: cloud,
		Options: Options{MaxNodeProvisionTime: time.Minute, InitialBackoff: 5 * time.Minute}})
	a.Start()
	p := pod("p", "", 1000, 100)
	p.UID, p.OwnerReferences = "", nil
	created, err := client.For[*api.Pod](e.Client).Create(ctx, p, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status.Conditions = []api.PodCondition{{Type: api.PodScheduled, Status: api.ConditionFalse, Reason: "Unschedulable"}}
	if _, err := client.For[*api.Pod](e.Client).UpdateStatus(ctx, created, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(10 * time.Second)
	if got, want := strings.Join(cloud.calls, "; "), "increase small 1"; got != want {
		t.Fatalf("calls after the first pass = %q, want %q", got, want)
	}
	if got := e.Events("TriggeredScaleUp"); len(got) != 1 || got[0] != "pod triggered scale-up: [{small 0->1 (max: 3)}]" {
		t.Errorf("TriggeredScaleUp events = %q, want the one scale-up", got)
	}
	cm, err := client.For[*api.ConfigMap](e.Client).Get(ctx, StatusNamespace, StatusName)
	if err != nil {
		t.Fatalf("status ConfigMap: %v", err)
	}
	if s := cm.Data["status"]; !strings.Contains(s, "cloudProviderTarget: 1") || !strings.Contains(s, "status: InProgress") {
		t.Errorf("status = %q, want the group's target 1 and a scale-up in progress", s)
	}
	e.RunFor(2 * time.Minute)
	if got, want := strings.Join(cloud.calls, "; "), "increase small 1; decrease small 1"; got != want {
		t.Fatalf("calls after the provision time = %q, want %q", got, want)
	}
	if !a.backoff["small"].until.After(e.Loop.Now()) {
		t.Errorf("group small is not backed off after giving up on its node")
	}
	a.Stop()
}
