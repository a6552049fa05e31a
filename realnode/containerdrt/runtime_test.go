package containerdrt_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	cdns "github.com/tinykube/tinykube/core/dns"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/nodetest"
	"github.com/tinykube/tinykube/realnode/podnet"
)

func TestMain(m *testing.M) { netnstest.Main(m) }

// newRuntime gives a runtime on a private containerd with the busybox
// image, and a channel of the pod UIDs it reports changed.
func newRuntime(t testing.TB) (*containerdrt.Runtime, *podnet.Network, chan string) {
	nodetest.Require(t)
	d := nodetest.Containerd(t)
	nodetest.ImportBusybox(t, d.Socket, "node-a")
	state := t.TempDir()
	nw, err := podnet.New(podnet.Config{Bridge: "tkrt0", Subnet: "10.77.0.0/24", StateDir: filepath.Join(state, "net")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before TempDir's removal: unmount what a failure left
		ids, _ := nw.List()
		for _, id := range ids {
			nw.Teardown(context.Background(), id)
		}
	})
	changes := make(chan string, 100)
	hostResolv := filepath.Join(state, "host-resolv.conf")
	if err := os.WriteFile(hostResolv, []byte("nameserver 192.0.2.53\nsearch corp.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, err := containerdrt.New(containerdrt.Config{Socket: d.Socket, Namespace: "node-a", LogDir: filepath.Join(state, "logs"),
		Network: nw, Post: func(f func()) { f() }, SandboxDir: filepath.Join(state, "sandboxes"),
		DNS: cdns.PodDNS{Nameserver: "10.77.0.1"}, HostResolvConf: hostResolv})
	if err != nil {
		t.Fatal(err)
	}
	rt.OnChange(func(uid string) {
		select {
		case changes <- uid:
		default:
		}
	})
	t.Cleanup(func() { rt.Close() })
	return rt, nw, changes
}

func podLabels(uid string) map[string]string {
	return map[string]string{kubelet.LabelPodUID: uid, kubelet.LabelPodName: "p-" + uid, kubelet.LabelPodNamespace: "default"}
}

func containerLabels(uid, name string) map[string]string {
	l := podLabels(uid)
	l[kubelet.LabelContainerName] = name
	l[kubelet.LabelAttempt] = "0"
	return l
}

// waitState polls List until container id is in state want.
func waitState(t testing.TB, rt *containerdrt.Runtime, id string, want kubelet.ContainerState) kubelet.Container {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, cs, err := rt.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.ID == id && c.State == want {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s never reached %s: %+v", id, want, cs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRuntimeRunsAContainerInItsSandbox(t *testing.T) {
	rt, nw, changes := newRuntime(t)
	if err := rt.EnsureImage("busybox", api.PullIfNotPresent); err != nil {
		t.Fatal(err)
	}
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: "u1", Namespace: "default", Name: "p-u1", Hostname: "web-0", Labels: podLabels("u1")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sb.IP, "10.77.0.") {
		t.Fatalf("sandbox IP %q is not in the pod subnet", sb.IP)
	}
	id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "web", Image: "busybox",
		Command: []string{"sh", "-c", "echo started as $(hostname) with GREETING=$GREETING; exec httpd -f -p 8080 -h /var/www"},
		Env:     []kubelet.EnvVar{{Name: "GREETING", Value: "hello"}}, MemoryBytes: 64 << 20, CPUMilli: 250,
		Labels: containerLabels("u1", "web")})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(id); err != nil {
		t.Fatal(err)
	}
	c := waitState(t, rt, id, kubelet.StateRunning)
	if c.Name != "web" || c.SandboxID != sb.ID || c.StartedAt.IsZero() || c.Labels[kubelet.LabelPodUID] != "u1" {
		t.Fatalf("listed container = %+v", c)
	}

	// The node reaches the pod's IP through the bridge.
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + sb.IP + ":8080/index.html")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod never answered HTTP on %s: %v", sb.IP, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(body, "hello from tinykube") {
		t.Fatalf("body = %q", body)
	}

	code, out, err := rt.Exec(id, []string{"sh", "-c", "echo $GREETING from exec; exit 3"}, 5*time.Second)
	if err != nil || code != 3 || strings.TrimSpace(out) != "hello from exec" {
		t.Fatalf("exec = %d %q %v", code, out, err)
	}
	path, err := rt.LogPath(id)
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := os.ReadFile(path)
	if !strings.Contains(string(logs), "started as web-0 with GREETING=hello") {
		t.Fatalf("log = %q", logs)
	}

	// httpd as PID 1 ignores SIGTERM: the grace period ends in SIGKILL.
	drain(changes)
	start := time.Now()
	if err := rt.StopContainer(id, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	c = waitState(t, rt, id, kubelet.StateExited)
	if c.ExitCode != 137 || c.Reason != "Error" || time.Since(start) < 400*time.Millisecond {
		t.Fatalf("stopped container = %+v after %s", c, time.Since(start))
	}
	select {
	case uid := <-changes:
		if uid != "u1" {
			t.Fatalf("change for %q", uid)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no change notification for the exit")
	}

	if err := rt.StopSandbox(sb.ID); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveSandbox(sb.ID); err != nil {
		t.Fatal(err)
	}
	sbs, cs, err := rt.List()
	if err != nil || len(sbs) != 0 || len(cs) != 0 {
		t.Fatalf("after removal: %v %v %v", sbs, cs, err)
	}
	if ids, _ := nw.List(); len(ids) != 0 {
		t.Fatalf("network namespaces left: %v", ids)
	}
	if _, err := os.Stat(filepath.Dir(filepath.Dir(path))); !os.IsNotExist(err) {
		t.Fatalf("pod log dir left behind: %v", err)
	}
}

// Every container of a pod sees the pod's resolv.conf (by its dnsPolicy)
// and hosts, read-only, and they go with the sandbox.
func TestRuntimeMountsResolvConfAndHosts(t *testing.T) {
	rt, _, _ := newRuntime(t)
	for _, tc := range []struct {
		policy, subdomain string
		resolv, hostsLine string
	}{
		{"ClusterFirst", "db", "nameserver 10.77.0.1\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n", "db-0.db.shop.svc.cluster.local\tdb-0"},
		{"Default", "", "nameserver 192.0.2.53\nsearch corp.example\n", "\tdb-0"},
		{"None", "", "nameserver 192.0.2.53\nsearch corp.example\n", "\tdb-0"},
	} {
		uid := "u-" + strings.ToLower(tc.policy)
		sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: uid, Namespace: "shop", Name: "p-" + uid, Hostname: "db-0",
			Subdomain: tc.subdomain, DNSPolicy: tc.policy, Labels: podLabels(uid)})
		if err != nil {
			t.Fatal(err)
		}
		id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: "main", Image: "busybox", Command: []string{"sleep", "60"},
			Labels: containerLabels(uid, "main")})
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.StartContainer(id); err != nil {
			t.Fatal(err)
		}
		waitState(t, rt, id, kubelet.StateRunning)
		_, resolv, err := rt.Exec(id, []string{"cat", "/etc/resolv.conf"}, 5*time.Second)
		if err != nil || resolv != tc.resolv {
			t.Errorf("dnsPolicy %s: /etc/resolv.conf = %q (%v), want %q", tc.policy, resolv, err, tc.resolv)
		}
		_, hosts, err := rt.Exec(id, []string{"cat", "/etc/hosts"}, 5*time.Second)
		if want := sb.IP + "\t"; err != nil || !strings.Contains(hosts, "127.0.0.1\tlocalhost") || !strings.Contains(hosts, want) || !strings.Contains(hosts, tc.hostsLine) {
			t.Errorf("dnsPolicy %s: /etc/hosts = %q (%v), want localhost and %s…%s", tc.policy, hosts, err, want, tc.hostsLine)
		}
		if code, out, _ := rt.Exec(id, []string{"sh", "-c", "echo x >> /etc/resolv.conf"}, 5*time.Second); code == 0 {
			t.Errorf("dnsPolicy %s: writing /etc/resolv.conf succeeded (%q), want it read-only", tc.policy, out)
		}
		if err := rt.StopSandbox(sb.ID); err != nil {
			t.Fatal(err)
		}
		if err := rt.RemoveSandbox(sb.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRuntimeReportsExitsAndOOMKills(t *testing.T) {
	rt, _, _ := newRuntime(t)
	sb, err := rt.RunSandbox(kubelet.SandboxConfig{PodUID: "u2", Namespace: "default", Name: "p-u2", Labels: podLabels("u2")})
	if err != nil {
		t.Fatal(err)
	}
	run := func(name string, mem int64, script string) string {
		id, err := rt.CreateContainer(sb.ID, kubelet.ContainerConfig{Name: name, Image: "busybox", Command: []string{"sh", "-c", script},
			MemoryBytes: mem, Labels: containerLabels("u2", name)})
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.StartContainer(id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	ok := run("ok", 0, "exit 0")
	bad := run("bad", 0, "exit 7")
	// Fill a tmpfs-backed buffer past the memory limit.
	oom := run("oom", 16<<20, "x=a; while true; do x=$x$x; done")
	var wg sync.WaitGroup
	for _, tc := range []struct {
		id     string
		code   int
		reason string
	}{{ok, 0, "Completed"}, {bad, 7, "Error"}, {oom, 137, "OOMKilled"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := waitState(t, rt, tc.id, kubelet.StateExited)
			if c.ExitCode != tc.code || c.Reason != tc.reason || c.FinishedAt.Before(c.StartedAt) {
				t.Errorf("%s: exit %d %q, want %d %q", c.Name, c.ExitCode, c.Reason, tc.code, tc.reason)
			}
		}()
	}
	wg.Wait()
}

func TestRuntimeImagePolicies(t *testing.T) {
	rt, _, _ := newRuntime(t)
	var ie *kubelet.ImageError
	err := rt.EnsureImage("nosuch/image:1", api.PullNever)
	if !asImageError(err, &ie) || ie.Reason != "ErrImageNeverPull" {
		t.Fatalf("Never on a missing image: %v", err)
	}
	err = rt.EnsureImage("busybox:1:2", api.PullIfNotPresent)
	if !asImageError(err, &ie) || ie.Reason != "InvalidImageName" {
		t.Fatalf("bad name: %v", err)
	}
	if err := rt.EnsureImage("busybox:latest", api.PullNever); err != nil {
		t.Fatalf("Never on a present image: %v", err)
	}
}

func asImageError(err error, target **kubelet.ImageError) bool {
	ie, ok := err.(*kubelet.ImageError)
	if ok {
		*target = ie
	}
	return ok
}

func drain(ch chan string) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
