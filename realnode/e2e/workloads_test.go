package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// On real containers: a Job's pods run to completion and are counted
// once each (the Job Completes with succeeded == completions), and a
// one-node DaemonSet runs its pod on the node.
func TestJobAndDaemonSetOnContainerd(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(`apiVersion: batch/v1
kind: Job
metadata: {name: count}
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - {name: work, image: busybox, imagePullPolicy: Never, command: [sh, -c, "echo done"]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: agent, image: busybox, imagePullPolicy: Never, command: [sleep, "3600"]}
`)
	ctx := context.Background()
	c.eventually("job count Complete with 3 succeeded", 90*time.Second, func() (bool, string) {
		j, err := client.For[*api.Job](c.client).Get(ctx, "default", "count")
		if err != nil {
			return false, err.Error()
		}
		complete := false
		for _, cond := range j.Status.Conditions {
			if cond.Type == api.JobComplete && cond.Status == api.ConditionTrue {
				complete = true
			}
		}
		state := fmt.Sprintf("%+v", j.Status)
		for _, p := range c.pods("batch.kubernetes.io/job-name=count") { // a failed pod says why
			state += fmt.Sprintf("\n  pod %s: %s %s %s deleting=%v", p.Name, p.Status.Phase, p.Status.Reason, p.Status.Message, p.DeletionTimestamp != nil)
			for _, cs := range p.Status.ContainerStatuses {
				if t := cs.State.Terminated; t != nil {
					state += fmt.Sprintf(" [%s exit %d %s %s]", cs.Name, t.ExitCode, t.Reason, t.Message)
				}
			}
		}
		return complete && j.Status.Succeeded == 3 && j.Status.Failed == 0, state
	})
	pods := c.pods("batch.kubernetes.io/job-name=count")
	if len(pods) != 3 {
		t.Errorf("job count left %d pods, want its 3 finished ones", len(pods))
	}
	for _, p := range pods {
		if p.Status.Phase != api.PodSucceeded {
			t.Errorf("job pod %s is %s, want Succeeded", p.Name, p.Status.Phase)
		}
	}
	c.running("app=agent", 1)
	if _, err := client.For[*api.DaemonSet](c.client).Delete(ctx, "default", "agent", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.For[*api.Job](c.client).Delete(ctx, "default", "count", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.eventually("the DaemonSet's and Job's pods gone", 60*time.Second, func() (bool, string) {
		left := len(c.pods("app=agent")) + len(c.pods("batch.kubernetes.io/job-name=count"))
		return left == 0, fmt.Sprintf("%d pods left", left)
	})
}

// On real containers: a StatefulSet's pods come up in order with stable
// names, and each finds the other by its stable DNS name through the
// headless Service.
func TestStatefulSetStableNamesOnContainerd(t *testing.T) {
	c := newCluster(t)
	a := c.startAgent(nodeA)
	c.apply(`apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: db, image: busybox, imagePullPolicy: Never, command: [sleep, "3600"]}
`)
	pods := c.running("app=db", 2)
	byName := map[string]*api.Pod{}
	for _, p := range pods {
		byName[p.Name] = p
	}
	if byName["db-0"] == nil || byName["db-1"] == nil {
		t.Fatalf("pods %v, want db-0 and db-1", byName)
	}
	if _, out := execIn(t, a, byName["db-0"], "hostname"); out != "db-0\n" {
		t.Errorf("db-0's hostname = %q", out)
	}
	c.eventually("db-0 resolves db-1.db", 30*time.Second, func() (bool, string) {
		_, out := execIn(t, a, byName["db-0"], "ping", "-c", "1", "-W", "1", "db-1.db")
		return strings.Contains(out, "("+byName["db-1"].Status.PodIP+")"), out
	})
}
