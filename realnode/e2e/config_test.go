package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// execIn runs a shell command in a container of a pod through the API
// server and returns its output.
func (c *cluster) execIn(pod, container, script string) (string, int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := client.PodExec(ctx, c.client, "default", pod, api.PodExecOptions{Container: container, Command: []string{"sh", "-c", script}})
	if err != nil {
		c.t.Fatalf("exec in %s/%s: %v", pod, container, err)
	}
	return res.Output, res.ExitCode
}

// Configuration reaches the containers of a Deployment on containerd: a
// ConfigMap key as an environment variable and as a file that follows the
// ConfigMap without a restart, a Secret as a file on tmpfs with the mode
// asked for, an emptyDir two containers share, and a node directory
// through hostPath.
func TestConfigurationAndVolumesReachContainers(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "from-node"), []byte("node says hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.apply(fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  mode: fast
  settings.conf: "level=1\n"
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData:
  password: s3cret
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cfg}
spec:
  replicas: 1
  selector: {matchLabels: {app: cfg}}
  template:
    metadata: {labels: {app: cfg}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: [sh, -c, "echo from-$(MODE) > /shared/hello; sleep 3600"]
        env:
        - name: MODE
          valueFrom: {configMapKeyRef: {name: app, key: mode}}
        - name: POD
          valueFrom: {fieldRef: {fieldPath: metadata.name}}
        volumeMounts:
        - {name: config, mountPath: /etc/app}
        - {name: creds, mountPath: /etc/creds, readOnly: true}
        - {name: shared, mountPath: /shared}
        - {name: node, mountPath: /node}
      - name: side
        image: busybox
        imagePullPolicy: IfNotPresent
        command: [sh, -c, "sleep 3600"]
        volumeMounts:
        - {name: shared, mountPath: /data}
      volumes:
      - name: config
        configMap: {name: app}
      - name: creds
        secret: {secretName: creds, defaultMode: 0400}
      - name: shared
        emptyDir: {}
      - name: node
        hostPath: {path: %s, type: Directory}
`, hostDir))
	pod := c.running("app=cfg", 1)[0].Name
	started := c.pods("app=cfg")[0].Status.ContainerStatuses

	checks := []struct {
		what, container, script, want string
	}{
		{"a ConfigMap key as env", "main", "echo $MODE $POD", "fast " + pod},
		{"a ConfigMap key as a file", "main", "cat /etc/app/settings.conf", "level=1"},
		{"a Secret as a file", "main", "cat /etc/creds/password", "s3cret"},
		{"the Secret file's mode", "main", "stat -L -c %a /etc/creds/password", "400"},
		{"the Secret on tmpfs", "main", "grep ' /etc/creds ' /proc/mounts | cut -d' ' -f3", "tmpfs"},
		{"an emptyDir shared by two containers, written by a command that names $(MODE)", "side", "cat /data/hello", "from-fast"},
		{"a node directory through hostPath", "main", "cat /node/from-node", "node says hi"},
	}
	for _, ck := range checks {
		var out string
		c.eventually(ck.what, 30*time.Second, func() (bool, string) {
			o, code := c.execIn(pod, ck.container, ck.script)
			out = strings.TrimSpace(o)
			return code == 0 && out == ck.want, fmt.Sprintf("exit %d, output %q, want %q", code, out, ck.want)
		})
	}

	// Changing the ConfigMap changes the file, without a restart.
	cms := client.For[*api.ConfigMap](c.client)
	cm, err := cms.Get(context.Background(), "default", "app")
	if err != nil {
		t.Fatal(err)
	}
	cm.Data["settings.conf"] = "level=2\n"
	if _, err := cms.Update(context.Background(), cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.eventually("the mounted file to follow the ConfigMap", 60*time.Second, func() (bool, string) {
		o, _ := c.execIn(pod, "main", "cat /etc/app/settings.conf")
		return strings.TrimSpace(o) == "level=2", fmt.Sprintf("file holds %q", o)
	})
	now := c.pods("app=cfg")[0].Status.ContainerStatuses
	for i := range now {
		if now[i].RestartCount != started[i].RestartCount || now[i].ContainerID != started[i].ContainerID {
			t.Errorf("container %s was restarted to see the new configuration", now[i].Name)
		}
	}
}

// A container whose ConfigMap key is missing waits with Kubernetes'
// reason and starts once the key exists.
func TestMissingConfigKeyWaitsThenStarts(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(`apiVersion: v1
kind: Pod
metadata: {name: waits, labels: {app: waits}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, "echo $LEVEL; sleep 3600"]
    env:
    - name: LEVEL
      valueFrom: {configMapKeyRef: {name: later, key: level}}
`)
	c.eventually("the container to wait for its configuration", 30*time.Second, func() (bool, string) {
		ps := c.pods("app=waits")
		if len(ps) != 1 {
			return false, "no pod"
		}
		return strings.Contains(waitingReasons(ps[0]), "CreateContainerConfigError"), waitingReasons(ps[0])
	})
	if ev := c.events(); !strings.Contains(ev, "later") {
		t.Errorf("no event names the missing ConfigMap:\n%s", ev)
	}
	c.apply(`apiVersion: v1
kind: ConfigMap
metadata: {name: later}
data: {level: debug}
`)
	c.running("app=waits", 1)
}
