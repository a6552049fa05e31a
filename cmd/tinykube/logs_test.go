package main

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/kubeletserver"
	"github.com/tinykube/tinykube/realnode/pki"
)

// scriptedNode is a kubelet backend whose logs are files named
// {pod}_{container}.log and whose exec runs a tiny built-in shell:
// "echo ARGS" and "exit N". Its containers have stopped, so a followed
// log ends at the end of the file.
type scriptedNode struct{ dir string }

func (n scriptedNode) Log(req kubeletserver.LogRequest) (string, func() bool, error) {
	name := req.Pod + "_" + req.Container
	if req.Previous {
		name += ".previous"
	}
	p := filepath.Join(n.dir, name+".log")
	if _, err := os.Stat(p); err != nil {
		return "", nil, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil,
			"previous terminated container %q in pod %q not found", req.Container, req.Pod)
	}
	return p, func() bool { return false }, nil
}

func (n scriptedNode) Exec(_, _, _ string, cmd []string, _ time.Duration) (int, string, error) {
	switch cmd[0] {
	case "echo":
		return 0, strings.Join(cmd[1:], " ") + "\n", nil
	case "exit":
		code, _ := strconv.Atoi(cmd[1])
		return code, "exiting with " + cmd[1] + "\n", nil
	}
	return 127, cmd[0] + ": not found\n", nil
}

// The streaming calls (kubectl exec -it, port-forward) are tested in
// realnode/kubeletserver and realnode/e2e; tinykube's own CLI does not use
// them.
func (n scriptedNode) ExecStream(context.Context, string, string, string, []string, kubeletserver.Streams) (int, error) {
	return 0, errors.New("scriptedNode: no streaming exec")
}

func (n scriptedNode) DialPod(context.Context, string, string, int) (net.Conn, error) {
	return nil, errors.New("scriptedNode: no port-forward")
}

func TestLogsAndExecThroughTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s := startServer(t, t.TempDir())
	t.Cleanup(func() { s.Close() })

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "web_app.log"), []byte("line 1\nline 2\nline 3\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "web_app.previous.log"), []byte("crashed\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "duo_b.log"), []byte("b says hi\n"), 0o644)
	// The node's kubelet server, as a real one: HTTPS with a certificate
	// for system:node:n1 from the cluster CA, answering the API server
	// only.
	servingPEM, servingKey, err := s.CA().Issue(pki.Request{CommonName: "system:node:n1", Organization: []string{"system:nodes"}, Server: true, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	serving, err := tls.X509KeyPair(servingPEM, servingKey)
	if err != nil {
		t.Fatal(err)
	}
	ks := httptest.NewUnstartedServer(kubeletserver.RequireAPIServer(kubeletserver.New(scriptedNode{dir})))
	ks.TLS = kubeletserver.TLSConfig(serving, s.CA().Pool())
	ks.StartTLS()
	t.Cleanup(ks.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ks.URL, "https://"))
	p, _ := strconv.Atoi(port)

	ctx := context.Background()
	cl := client.New(client.Local(s.API.Handle))
	// Pods need their namespace's ServiceAccount, which the controller
	// manager makes a moment after the server starts.
	if _, err := client.For[*api.ServiceAccount](cl).Create(ctx, &api.ServiceAccount{ObjectMeta: api.ObjectMeta{Name: "default", Namespace: "default"}}, client.WriteOptions{}); err != nil && !api.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	nodes := client.For[*api.Node](cl)
	node, err := nodes.Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, client.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	node.Status.Addresses = []api.NodeAddress{{Type: "InternalIP", Address: "127.0.0.1"}}
	node.Status.DaemonEndpoints.KubeletEndpoint.Port = int32(p)
	if _, err := nodes.UpdateStatus(ctx, node, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, ctrs := range map[string][]string{"web": {"app"}, "duo": {"a", "b"}} {
		pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"}, Spec: api.PodSpec{NodeName: "n1"}}
		for _, c := range ctrs {
			pod.Spec.Containers = append(pod.Spec.Containers, api.Container{Name: c, Image: "busybox"})
		}
		if _, err := client.For[*api.Pod](cl).Create(ctx, pod, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		args     []string
		wantCode int
		wantOut  string // stdout, exactly
		wantErr  string // in stderr
	}{
		{[]string{"logs", "web"}, 0, "line 1\nline 2\nline 3\n", ""},
		{[]string{"logs", "pod/web", "--tail", "2"}, 0, "line 2\nline 3\n", ""},
		{[]string{"logs", "-f", "web", "-c", "app"}, 0, "line 1\nline 2\nline 3\n", ""},
		{[]string{"logs", "--previous", "web"}, 0, "crashed\n", ""},
		{[]string{"logs", "duo", "b"}, 0, "b says hi\n", ""},
		{[]string{"logs", "duo"}, 1, "", "Error from server (BadRequest): a container name must be specified for pod duo, choose one of: [a b]"},
		{[]string{"logs", "duo", "-c", "z"}, 1, "", "Error from server (BadRequest): container z is not valid for pod duo"},
		{[]string{"logs", "--previous", "duo", "-c", "a"}, 1, "", `Error from server (NotFound): previous terminated container "a" in pod "duo" not found`},
		{[]string{"logs", "nope"}, 1, "", `Error from server (NotFound): pods "nope" not found`},
		{[]string{"logs", "deploy/web"}, 1, "", "error: deploy/web: tinykube reads logs and runs commands in pods"},
		{[]string{"exec", "web", "--", "echo", "hello", "there"}, 0, "hello there\n", ""},
		{[]string{"exec", "pod/duo", "-c", "a", "--", "exit", "3"}, 3, "exiting with 3\n", ""},
		{[]string{"exec", "web", "--", "frobnicate"}, 127, "frobnicate: not found\n", ""},
		{[]string{"exec", "duo", "--", "echo"}, 1, "", "choose one of: [a b]"},
		{[]string{"exec", "web", "echo"}, 1, "", "error: give the command after --"},
	}
	for _, tt := range tests {
		code, out, errOut := tk(t, s.URL, "", tt.args...)
		if code != tt.wantCode || out != tt.wantOut || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("tinykube %s = %d, stdout %q, stderr %q; want %d, %q, %q",
				strings.Join(tt.args, " "), code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
		}
	}
	if code, _, errOut := tk(t, s.URL, "", "logs", "web", "-n", "other"); code != 1 || !strings.Contains(errOut, `pods "web" not found`) {
		t.Errorf("logs web -n other = %d, stderr %q; want NotFound: -n picks the namespace", code, errOut)
	}
}
