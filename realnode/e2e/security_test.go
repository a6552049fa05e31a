package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// securityPods are pods that each ask one thing of the kubelet and
// containerd through securityContext; each sleeps so it can be examined.
const securityPods = `apiVersion: v1
kind: Pod
metadata: {name: ids, labels: {app: sec}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000}
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, "sleep 3600"]
    securityContext: {readOnlyRootFilesystem: true}
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    emptyDir: {}
---
apiVersion: v1
kind: Pod
metadata: {name: nocaps, labels: {app: sec}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, "sleep 3600"]
    securityContext: {capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Pod
metadata: {name: hardened, labels: {app: sec}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, "sleep 3600"]
    securityContext: {allowPrivilegeEscalation: false}
---
apiVersion: v1
kind: Pod
metadata: {name: privileged, labels: {app: sec}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, "sleep 3600"]
    securityContext: {privileged: true}
---
apiVersion: v1
kind: Pod
metadata: {name: nonroot, labels: {app: sec-refused}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true}
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, "sleep 3600"]
`

// A pod's securityContext reaches its process on containerd: its uid,
// gid and groups, a root it cannot write beside an emptyDir it can, the
// capabilities it dropped or was given, no_new_privs and seccomp. A pod
// with runAsNonRoot whose image runs as root waits with Kubernetes'
// reason and message.
func TestSecurityContextReachesTheProcess(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(securityPods)
	c.running("app=sec", 4)

	capEff := ""
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			capEff = strings.TrimSpace(v) // root's, as the agent in this test has
		}
	}
	for _, ck := range []struct {
		what, pod, script, want string
		wantExit                int
	}{
		{"uid, gid and groups", "ids", "id", "uid=1000 gid=3000 groups=2000,3000,4000", 0},
		{"a read-only root", "ids", "touch /x", "touch: /x: Read-only file system", 1},
		{"an emptyDir it can write, owned by the fsGroup", "ids", "echo hi > /data/f && stat -c '%u %g' /data/f && stat -c '%g %a' /data", "1000 2000\n2000 2777", 0},
		{"no capabilities: no chown", "nocaps", "chown 1:1 /tmp", "chown: /tmp: Operation not permitted", 1},
		{"no capabilities: CapEff", "nocaps", "grep CapEff /proc/self/status", "CapEff:\t0000000000000000", 0},
		{"no_new_privs", "hardened", "grep NoNewPrivs /proc/self/status", "NoNewPrivs:\t1", 0},
		{"seccomp RuntimeDefault (filter mode)", "hardened", "grep Seccomp: /proc/self/status", "Seccomp:\t2", 0},
		{"privileged: every capability", "privileged", "grep CapEff /proc/self/status", "CapEff:\t" + capEff, 0},
		{"privileged: no seccomp, may escalate", "privileged", "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status", "NoNewPrivs:\t0\nSeccomp:\t0", 0},
	} {
		var out string
		var code int
		c.eventually(ck.what, 30*time.Second, func() (bool, string) {
			out, code = c.execIn(ck.pod, "main", ck.script)
			out = strings.TrimSpace(out)
			return code == ck.wantExit && out == ck.want, fmt.Sprintf("%s: exit %d, output %q, want %d %q", ck.pod, code, out, ck.wantExit, ck.want)
		})
	}

	c.eventually("the runAsNonRoot pod to be refused", 30*time.Second, func() (bool, string) {
		ps := c.pods("app=sec-refused")
		if len(ps) != 1 {
			return false, "no pod"
		}
		want := fmt.Sprintf(`main:CreateContainerConfigError container has runAsNonRoot and image will run as root (pod: "nonroot_default(%s)", container: main)`, ps[0].UID)
		return waitingReasons(ps[0]) == want, waitingReasons(ps[0])
	})
}
