package httpapi

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
)

// fileBackend serves every container's log from dir/{pod}_{container}.log
// and echoes exec commands.
type fileBackend struct {
	dir     string
	running atomic.Bool
	podAddr string // where DialPod connects
}

func (b *fileBackend) Log(req kubeletserver.LogRequest) (string, func() bool, error) {
	p := filepath.Join(b.dir, req.Pod+"_"+req.Container+".log")
	if _, err := os.Stat(p); err != nil {
		return "", nil, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "no log for container %q of pod %s", req.Container, req.Pod)
	}
	return p, b.running.Load, nil
}

func (b *fileBackend) Exec(ns, pod, ctr string, cmd []string, _ time.Duration) (int, string, error) {
	return 3, ctr + ": " + strings.Join(cmd, " ") + "\n", nil
}

// ExecStream echoes the container and command, then stdin, and exits 3.
func (b *fileBackend) ExecStream(ctx context.Context, ns, pod, ctr string, cmd []string, s kubeletserver.Streams) (int, error) {
	fmt.Fprintf(s.Stdout, "%s: %s\n", ctr, strings.Join(cmd, " "))
	if s.Stdin != nil {
		io.Copy(s.Stdout, s.Stdin)
	}
	return 3, nil
}

// DialPod dials b.podAddr, whatever the pod and port.
func (b *fileBackend) DialPod(ctx context.Context, ns, pod string, port int) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", b.podAddr)
}

// nodeWithKubelet starts a kubelet server on loopback and registers node
// "n1" pointing at it; a pod "one" (container app) and "two" (a, b) run
// there, and "pending" is unscheduled.
func nodeWithKubelet(t *testing.T, c *client.Client) *fileBackend {
	t.Helper()
	b := &fileBackend{dir: t.TempDir()}
	os.WriteFile(filepath.Join(b.dir, "one_app.log"), []byte("hello\nworld\n"), 0o644)
	os.WriteFile(filepath.Join(b.dir, "two_b.log"), []byte("from b\n"), 0o644)
	ks := httptest.NewServer(kubeletserver.New(b))
	t.Cleanup(ks.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ks.URL, "http://"))
	p, _ := strconv.Atoi(port)

	ctx := context.Background()
	nodes := client.For[*api.Node](c)
	n, err := nodes.Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n.Status.Addresses = []api.NodeAddress{{Type: "InternalIP", Address: "127.0.0.1"}}
	n.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(p)
	if _, err := nodes.UpdateStatus(ctx, n, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes.Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: "simulated"}}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := func(name, node string, containers ...string) {
		p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: api.PodSpec{NodeName: node}}
		for _, ctr := range containers {
			p.Spec.Containers = append(p.Spec.Containers, api.Container{Name: ctr, Image: "busybox"})
		}
		if _, err := client.For[*api.Pod](c).Create(ctx, p, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pod("one", "n1", "app")
	pod("two", "n1", "a", "b")
	pod("pending", "", "app")
	pod("elsewhere", "simulated", "app")
	return b
}

func TestPodLogAndExecAreRelayedToTheKubelet(t *testing.T) {
	c, _, _ := serve(t)
	nodeWithKubelet(t, c)
	ctx := context.Background()
	logs := func(name string, opts api.PodLogOptions) (string, error) {
		r, err := client.PodLogs(ctx, c, "default", name, opts)
		if err != nil {
			return "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return string(b), err
	}
	tests := []struct {
		pod     string
		opts    api.PodLogOptions
		want    string
		wantErr string
	}{
		{"one", api.PodLogOptions{}, "hello\nworld\n", ""},
		{"one", api.PodLogOptions{TailLines: 1, HasTail: true}, "world\n", ""},
		{"one", api.PodLogOptions{LimitBytes: 3}, "hel", ""},
		{"two", api.PodLogOptions{Container: "b"}, "from b\n", ""},
		{"two", api.PodLogOptions{}, "", "a container name must be specified for pod two, choose one of: [a b]"},
		{"two", api.PodLogOptions{Container: "c"}, "", "container c is not valid for pod two"},
		{"two", api.PodLogOptions{Container: "a"}, "", `no log for container "a" of pod two`},
		{"pending", api.PodLogOptions{}, "", "pod pending is not scheduled to a node yet"},
		{"elsewhere", api.PodLogOptions{}, "", "node simulated publishes no kubelet endpoint (it runs simulated pods?)"},
		{"nope", api.PodLogOptions{}, "", `pods "nope" not found`},
	}
	for _, tt := range tests {
		got, err := logs(tt.pod, tt.opts)
		if tt.wantErr == "" && (err != nil || got != tt.want) {
			t.Errorf("PodLogs(%s, %+v) = %q, %v; want %q", tt.pod, tt.opts, got, err, tt.want)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("PodLogs(%s, %+v) = %q, %v; want an error containing %q", tt.pod, tt.opts, got, err, tt.wantErr)
		}
	}
	_, err := logs("two", api.PodLogOptions{})
	if api.ReasonOf(err) != api.ReasonBadRequest {
		t.Errorf("logs without a container of a two-container pod: reason %q, want BadRequest", api.ReasonOf(err))
	}

	res, err := client.PodExec(ctx, c, "default", "two", api.PodExecOptions{Container: "a", Command: []string{"ls", "-l"}})
	if err != nil || res.ExitCode != 3 || res.Output != "a: ls -l\n" {
		t.Errorf("PodExec = %+v, %v; want exit code 3 and the echoed command", res, err)
	}
	if _, err := client.PodExec(ctx, c, "default", "two", api.PodExecOptions{Command: []string{"ls"}}); err == nil || !strings.Contains(err.Error(), "choose one of: [a b]") {
		t.Errorf("PodExec without a container = %v, want the choice of containers", err)
	}
}

func TestFollowedLogStreamsThroughTheAPIServer(t *testing.T) {
	c, _, _ := serve(t)
	b := nodeWithKubelet(t, c)
	b.running.Store(true)
	r, err := client.PodLogs(context.Background(), c, "default", "one", api.PodLogOptions{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() string {
		select {
		case l, ok := <-lines:
			if !ok {
				return "(end)"
			}
			return l
		case <-time.After(5 * time.Second):
			return "(nothing after 5s)"
		}
	}
	for _, want := range []string{"hello", "world"} {
		if got := next(); got != want {
			t.Fatalf("followed line = %q, want %q", got, want)
		}
	}
	// A line appended while the reader waits arrives without the stream
	// ending: the API server flushes as the kubelet sends.
	f, _ := os.OpenFile(filepath.Join(b.dir, "one_app.log"), os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintln(f, "again")
	f.Close()
	if got := next(); got != "again" {
		t.Errorf("line appended during follow = %q, want again", got)
	}
	b.running.Store(false)
	if got := next(); got != "(end)" {
		t.Errorf("after the container stopped the stream gave %q, want its end", got)
	}
}

func TestPodLogMethodAndDiscovery(t *testing.T) {
	_, hs, _ := serve(t)
	resp, err := http.Post(hs.URL+"/api/v1/namespaces/default/pods/x/log", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST pods/x/log = %d, want 405", resp.StatusCode)
	}
	resp, err = http.Get(hs.URL + "/api/v1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"name":"pods/log"`, `"name":"pods/exec"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("discovery of /api/v1 lacks %s", want)
		}
	}
}
