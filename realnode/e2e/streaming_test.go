package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
)

// oneSize is a terminal size queue that hands out one size, then none.
type oneSize chan *remotecommand.TerminalSize

func (s oneSize) Next() *remotecommand.TerminalSize { return <-s }

// TestExecAndPortForwardWithClientGo drives exec and port-forward on a
// containerd node through the API server with client-go's remotecommand
// and portforward packages, which are what kubectl exec, cp and
// port-forward use.
func TestExecAndPortForwardWithClientGo(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	c.apply(webRS("streams", 1))
	pod := c.running("app=streams", 1)[0]
	cfg := c.restConfig()
	base := c.server.URL + "/api/v1/namespaces/default/pods/" + pod.Name

	tests := []struct {
		name     string
		cmd      []string
		stdin    string
		tty      bool
		want     string
		wantCode int
	}{
		{name: "stdin echoes through cat", cmd: []string{"cat"}, stdin: "hello\nthrough cat\n", want: "hello\nthrough cat\n"},
		{name: "a terminal with its size", cmd: []string{"sh", "-c", "sleep 1; stty size; tty"}, tty: true, want: "40 120\r\n/dev/pts/0\r\n"},
		{name: "/etc/hostname, which kubectl cp users expect", cmd: []string{"cat", "/etc/hostname"}, want: pod.Name + "\n"},
		{name: "exit code", cmd: []string{"sh", "-c", "echo bye; exit 3"}, want: "bye\n", wantCode: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"command": tt.cmd, "stdout": {"true"}}
			var out bytes.Buffer
			opts := remotecommand.StreamOptions{Stdout: &out, Tty: tt.tty}
			if tt.stdin != "" {
				q.Set("stdin", "true")
				opts.Stdin = strings.NewReader(tt.stdin)
			}
			if tt.tty {
				q.Set("tty", "true")
				s := make(oneSize, 1)
				s <- &remotecommand.TerminalSize{Width: 120, Height: 40}
				opts.TerminalSizeQueue = s
			}
			ex, err := remotecommand.NewWebSocketExecutor(cfg, "GET", base+"/exec?"+q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = ex.StreamWithContext(ctx, opts)
			var code exec.CodeExitError
			switch {
			case tt.wantCode != 0 && (!errors.As(err, &code) || code.Code != tt.wantCode):
				t.Errorf("exec %q = %v, want exit code %d", tt.cmd, err, tt.wantCode)
			case tt.wantCode == 0 && err != nil:
				t.Errorf("exec %q = %v, want success", tt.cmd, err)
			}
			if out.String() != tt.want {
				t.Errorf("exec %q printed %q, want %q", tt.cmd, out.String(), tt.want)
			}
		})
	}

	t.Run("port-forward", func(t *testing.T) {
		u, _ := url.Parse(base + "/portforward")
		dialer, err := portforward.NewSPDYOverWebsocketDialer(u, cfg)
		if err != nil {
			t.Fatal(err)
		}
		stop, ready := make(chan struct{}), make(chan struct{})
		defer close(stop)
		var out, errOut bytes.Buffer
		fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:8080"}, stop, ready, &out, &errOut)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- fw.ForwardPorts() }()
		select {
		case <-ready:
		case err := <-done:
			t.Fatalf("ForwardPorts = %v; stderr %q", err, errOut.String())
		case <-time.After(20 * time.Second):
			t.Fatal("port-forward not ready after 20s")
		}
		ports, _ := fw.GetPorts()
		body, err := get(fmt.Sprintf("http://127.0.0.1:%d/", ports[0].Local))
		if err != nil || strings.TrimSpace(body) != pod.Name {
			t.Errorf("GET through the forward = %q, %v; want the pod's hostname %q (stderr %q)", body, err, pod.Name, errOut.String())
		}
	})
}
