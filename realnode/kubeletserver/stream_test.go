package kubeletserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/httpstream"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	"k8s.io/client-go/util/exec"
)

// sizes is a remotecommand.TerminalSizeQueue that hands out one size.
type sizes chan *remotecommand.TerminalSize

func (s sizes) Next() *remotecommand.TerminalSize { return <-s }

// TestExecStreamWithClientGo drives the exec route with client-go's
// WebSocket executor, the one kubectl uses.
func TestExecStreamWithClientGo(t *testing.T) {
	_, base := serve(t)
	tests := []struct {
		name       string
		cmd        []string
		stdin      string
		tty        bool
		wantOut    string
		wantErrOut string
		wantCode   int    // exit code, when the command ran
		wantErr    string // other errors
	}{
		{name: "stdin echoes through cat", cmd: []string{"cat"}, stdin: "hello\nworld\n", wantOut: "hello\nworld\n"},
		{name: "terminal size", cmd: []string{"size"}, tty: true, wantOut: "120x40 tty=true"},
		{name: "exit code", cmd: []string{"exit", "3"}, wantCode: 3},
		{name: "stderr", cmd: []string{"stderr"}, wantErrOut: "oops", wantCode: 1},
		{name: "no such command", cmd: []string{"nope"}, wantErr: "executable file not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"command": tt.cmd, "stdout": {"true"}, "stderr": {strconv.FormatBool(!tt.tty)}, "tty": {strconv.FormatBool(tt.tty)}}
			opts := remotecommand.StreamOptions{Tty: tt.tty}
			var out, errOut bytes.Buffer
			opts.Stdout = &out
			if !tt.tty {
				opts.Stderr = &errOut
			}
			if tt.stdin != "" {
				q.Set("stdin", "true")
				opts.Stdin = strings.NewReader(tt.stdin)
			}
			if tt.tty {
				s := make(sizes, 1)
				s <- &remotecommand.TerminalSize{Width: 120, Height: 40}
				opts.TerminalSizeQueue = s
			}
			ex, err := remotecommand.NewWebSocketExecutor(&restclient.Config{Host: base}, "GET", base+"/exec/default/web/app?"+q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err = ex.StreamWithContext(ctx, opts)
			var code exec.CodeExitError
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("exec %q = %v, want an error containing %q", tt.cmd, err, tt.wantErr)
				}
			case tt.wantCode != 0:
				if !errors.As(err, &code) || code.Code != tt.wantCode {
					t.Errorf("exec %q = %v, want exit code %d", tt.cmd, err, tt.wantCode)
				}
			case err != nil:
				t.Errorf("exec %q = %v, want success", tt.cmd, err)
			}
			if diff := cmp.Diff(tt.wantOut, out.String()); diff != "" {
				t.Errorf("exec %q stdout (-want +got):\n%s", tt.cmd, diff)
			}
			if diff := cmp.Diff(tt.wantErrOut, errOut.String()); diff != "" {
				t.Errorf("exec %q stderr (-want +got):\n%s", tt.cmd, diff)
			}
		})
	}
}

func TestExecStreamRefusesBadRequests(t *testing.T) {
	_, base := serve(t)
	tests := []struct {
		name, query, protocol, want string
	}{
		{"no streams", "command=cat", "v5.channel.k8s.io", "at least 1 of stdin, stdout, stderr"},
		{"tty and stderr", "command=cat&stdout=1&stderr=1&tty=1", "v5.channel.k8s.io", "tty and stderr cannot both be true"},
		{"no command", "stdout=1", "v5.channel.k8s.io", "no command"},
		{"unknown protocol", "command=cat&stdout=1", "v1.channel.k8s.io", "v5.channel.k8s.io, v4.channel.k8s.io"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+"/exec/default/web/app?"+tt.query, nil)
			req.Header.Set("Connection", "Upgrade")
			req.Header.Set("Upgrade", "websocket")
			req.Header.Set("Sec-WebSocket-Version", "13")
			req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			req.Header.Set("Sec-WebSocket-Protocol", tt.protocol)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), tt.want) {
				t.Errorf("GET exec?%s = %d %s, want 400 containing %q", tt.query, resp.StatusCode, body, tt.want)
			}
		})
	}
}

// TestPortForwardWithClientGo forwards a local port to a "pod" (a local
// web server) through both of kubectl's dialers: SPDY tunnelled in a
// WebSocket, and the plain SPDY upgrade it falls back to.
func TestPortForwardWithClientGo(t *testing.T) {
	_, base := serve(t)
	pod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "pod says %s", r.URL.Path)
	}))
	defer pod.Close()
	podURL, _ := url.Parse(pod.URL)
	podPort, _ := strconv.Atoi(podURL.Port())
	u, _ := url.Parse(base + "/portForward/default/web")
	cfg := &restclient.Config{Host: base}

	tunnel, err := portforward.NewSPDYOverWebsocketDialer(u, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rt, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	plain := spdy.NewDialer(upgrader, &http.Client{Transport: rt}, "POST", u)

	for _, d := range []struct {
		name   string
		dialer httpstream.Dialer
	}{{"websocket", tunnel}, {"spdy", plain}} {
		t.Run(d.name, func(t *testing.T) {
			stop, ready := make(chan struct{}), make(chan struct{})
			defer close(stop)
			var out, errOut bytes.Buffer
			fw, err := portforward.NewOnAddresses(d.dialer, []string{"127.0.0.1"}, []string{"0:" + strconv.Itoa(podPort)}, stop, ready, &out, &errOut)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- fw.ForwardPorts() }()
			select {
			case <-ready:
			case err := <-done:
				t.Fatalf("ForwardPorts = %v before it was ready; stderr %q", err, errOut.String())
			case <-time.After(10 * time.Second):
				t.Fatal("port-forward not ready after 10s")
			}
			ports, _ := fw.GetPorts()
			// Twice: every connection is a new pair of streams.
			for _, path := range []string{"/one", "/two"} {
				resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", ports[0].Local, path))
				if err != nil {
					t.Fatalf("GET through the forward: %v (stderr %q)", err, errOut.String())
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := "pod says " + path; string(body) != want {
					t.Errorf("GET %s through the forward = %q, want %q", path, body, want)
				}
			}
		})
	}
}
