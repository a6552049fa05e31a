package e2e

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/nodetest"
)

var nodeA = nodeSpec{name: "node-a", namespace: "node-a", podCIDR: "10.81.0.0/24", bridge: "tke2ea"}
var nodeB = nodeSpec{name: "node-b", namespace: "node-b", podCIDR: "10.82.0.0/24", bridge: "tke2eb"}

// webRS is a ReplicaSet of busybox web servers that answer with their
// hostname.
func webRS(name string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: %[1]s}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        imagePullPolicy: IfNotPresent # :latest defaults to Always, and no registry is reachable
        command: [sh, -c]
        args: ["mkdir /www && hostname > /www/index.html && echo serving && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: http}
          periodSeconds: 1
        resources:
          requests: {cpu: 10m, memory: 8Mi}
`, name, replicas)
}

func TestReplicaSetOfWebServersRunsAnswersAndCleansUp(t *testing.T) {
	c := newCluster(t)
	a := c.startAgent(nodeA)
	before := c.containerd(nodeA.namespace)

	c.apply(webRS("web", 3))
	pods := c.running("app=web", 3)
	ips := map[string]bool{}
	for _, p := range pods {
		if ips[p.Status.PodIP] {
			t.Fatalf("two pods share IP %s", p.Status.PodIP)
		}
		ips[p.Status.PodIP] = true
		if !strings.HasPrefix(p.Status.PodIP, "10.81.0.") || p.Status.HostIP != "127.0.0.1" {
			t.Errorf("pod %s: podIP %s hostIP %s", p.Name, p.Status.PodIP, p.Status.HostIP)
		}
		body, err := get("http://" + p.Status.PodIP + ":8080/")
		if err != nil || strings.TrimSpace(body) != p.Name {
			t.Errorf("GET %s (pod %s) = %q, %v; want its hostname", p.Status.PodIP, p.Name, body, err)
		}
		cs := p.Status.ContainerStatuses
		if len(cs) != 1 || !strings.HasPrefix(cs[0].ContainerID, "containerd://") || cs[0].State.Running == nil {
			t.Errorf("pod %s container statuses = %+v", p.Name, cs)
		}
	}

	// Logs come from the node through the API server.
	rc, err := client.PodLogs(context.Background(), c.client, "default", pods[0].Name, api.PodLogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(logs), "serving") {
		t.Errorf("logs of %s = %q", pods[0].Name, logs)
	}

	st := c.containerd(nodeA.namespace)
	if len(st.sandboxes) != 3 || len(st.tasks) != 3 {
		t.Fatalf("containerd holds %d sandboxes, %d running tasks; want 3 and 3", len(st.sandboxes), len(st.tasks))
	}

	// Deleting the ReplicaSet removes every container, snapshot and
	// network namespace.
	if _, err := client.For[*api.ReplicaSet](c.client).Delete(context.Background(), "default", "web", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.eventually("every pod gone", 60*time.Second, func() (bool, string) {
		pods := c.pods("app=web")
		return len(pods) == 0, fmt.Sprintf("%d pods", len(pods))
	})
	c.eventually("containerd back to where it was", 30*time.Second, func() (bool, string) {
		st := c.containerd(nodeA.namespace)
		return len(st.sandboxes)+len(st.containers) == 0 && slices.Equal(st.snapshots, before.snapshots),
			fmt.Sprintf("%+v (before: %+v)", st, before)
	})
	ids, err := a.Network.List()
	if err != nil || len(ids) != 0 {
		t.Errorf("network namespaces left: %v %v", ids, err)
	}
	for ip := range ips {
		if _, err := get("http://" + ip + ":8080/"); err == nil {
			t.Errorf("%s still answers after its pod was deleted", ip)
		}
	}
}

// A container that keeps exiting is restarted with back-off, and its
// restart count rises.
func TestCrashingContainerRestartsWithBackOff(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(`apiVersion: v1
kind: Pod
metadata: {name: crasher}
spec:
  containers:
  - name: main
    image: busybox
    imagePullPolicy: Never
    command: [sh, -c, "echo crashing; sleep 0.2; exit 3"]
`)
	var sawBackOff bool
	c.eventually("restart count 2 or more", 60*time.Second, func() (bool, string) {
		p := c.pods("")[0]
		if len(p.Status.ContainerStatuses) == 0 {
			return false, "no status yet"
		}
		cs := p.Status.ContainerStatuses[0]
		if w := cs.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
			sawBackOff = true
		}
		last := cs.LastTerminationState.Terminated
		return cs.RestartCount >= 2 && last != nil && last.ExitCode == 3 && last.Reason == "Error",
			fmt.Sprintf("restarts %d, state %+v, last %+v", cs.RestartCount, cs.State, cs.LastTerminationState)
	})
	if !sawBackOff {
		t.Log("never caught the pod in CrashLoopBackOff between restarts (the window is short with a 1s back-off)")
	}
}

// A failing liveness probe gets the container restarted.
func TestFailingLivenessProbeRestartsTheContainer(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(`apiVersion: v1
kind: Pod
metadata: {name: sickly}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    imagePullPolicy: Never
    command: [sh, -c]
    args: ["mkdir /www; echo ok > /www/healthz; (sleep 3; rm /www/healthz) & exec httpd -f -p 8080 -h /www"]
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 2
`)
	c.eventually("a liveness restart", 60*time.Second, func() (bool, string) {
		p := c.pods("")[0]
		if len(p.Status.ContainerStatuses) == 0 {
			return false, "no status yet"
		}
		cs := p.Status.ContainerStatuses[0]
		last := cs.LastTerminationState.Terminated
		if cs.RestartCount >= 1 && last != nil && last.StartedAt != nil && last.FinishedAt != nil {
			// It was healthy for its first 3s (times are whole seconds): the
			// probe passed, then failed.
			if ran := last.FinishedAt.Sub(last.StartedAt.Time); ran < 2*time.Second {
				t.Fatalf("the first run was killed after %s, before its health check started failing: %+v %+v", ran, last, cs)
			}
			return true, ""
		}
		return false, fmt.Sprintf("restarts %d, state %+v", cs.RestartCount, cs.State)
	})
	evs, err := client.For[*api.Event](c.client).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var unhealthy bool
	for _, e := range evs.Items {
		unhealthy = unhealthy || e.Reason == "Unhealthy" && strings.Contains(e.Message, "Liveness")
	}
	if !unhealthy {
		t.Errorf("no Unhealthy event for the failed liveness probe")
	}
}

// An agent killed with SIGKILL and started again adopts what runs: the
// same containers, no duplicate, no orphan, no restart.
func TestKilledAgentAdoptsItsContainers(t *testing.T) {
	c := newCluster(t)
	nodetestImport(c, nodeA)
	first := c.startAgentProcess(nodeA)
	c.apply(webRS("adopt", 2))
	pods := c.running("app=adopt", 2)
	before := c.containerd(nodeA.namespace)

	killAgent(t, first)
	c.startAgentProcess(nodeA)
	// Give the new agent time to relist, sync every pod and post status.
	time.Sleep(5 * time.Second)
	after := c.containerd(nodeA.namespace)
	if !slices.Equal(before.sandboxes, after.sandboxes) || !slices.Equal(before.containers, after.containers) || !slices.Equal(before.tasks, after.tasks) {
		t.Fatalf("containerd changed across the agent's restart:\nbefore %+v\nafter  %+v", before, after)
	}
	now := c.running("app=adopt", 2)
	for i, p := range now {
		if p.UID != pods[i].UID || p.Status.PodIP != pods[i].Status.PodIP || p.Status.ContainerStatuses[0].RestartCount != 0 {
			t.Errorf("pod %s changed: ip %s→%s, restarts %d", p.Name, pods[i].Status.PodIP, p.Status.PodIP, p.Status.ContainerStatuses[0].RestartCount)
		}
		if body, err := get("http://" + p.Status.PodIP + ":8080/"); err != nil || strings.TrimSpace(body) != p.Name {
			t.Errorf("pod %s after the restart: %q %v", p.Name, body, err)
		}
	}
}

// Two agents on one containerd, in two namespaces, each run only their
// own pods.
func TestTwoAgentsShareOneContainerd(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.startAgent(nodeB)
	c.eventually("two nodes", 20*time.Second, func() (bool, string) {
		l, err := client.For[*api.Node](c.client).List(context.Background(), "", client.ListOptions{})
		return err == nil && len(l.Items) == 2, fmt.Sprint(err)
	})
	c.apply(webRS("pair", 4))
	pods := c.running("app=pair", 4)
	on := map[string][]string{}
	for _, p := range pods {
		on[p.Spec.NodeName] = append(on[p.Spec.NodeName], p.UID)
		want := map[string]string{"node-a": "10.81.0.", "node-b": "10.82.0."}[p.Spec.NodeName]
		if !strings.HasPrefix(p.Status.PodIP, want) {
			t.Errorf("pod %s on %s has IP %s", p.Name, p.Spec.NodeName, p.Status.PodIP)
		}
		if body, err := get("http://" + p.Status.PodIP + ":8080/"); err != nil || strings.TrimSpace(body) != p.Name {
			t.Errorf("pod %s: %q %v", p.Name, body, err)
		}
	}
	if len(on["node-a"]) == 0 || len(on["node-b"]) == 0 {
		t.Fatalf("the scheduler did not spread the pods: %v", on)
	}
	for _, n := range []nodeSpec{nodeA, nodeB} {
		st := c.containerd(n.namespace)
		if len(st.sandboxes) != len(on[n.name]) || len(st.tasks) != len(on[n.name]) {
			t.Errorf("namespace %s holds %d sandboxes and %d running tasks; %s runs %d pods", n.namespace, len(st.sandboxes), len(st.tasks), n.name, len(on[n.name]))
		}
	}
}

func nodetestImport(c *cluster, n nodeSpec) {
	c.t.Helper()
	nodetest.ImportBusybox(c.t, c.ctrd.Socket, n.namespace)
}
