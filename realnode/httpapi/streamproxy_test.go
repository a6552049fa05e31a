package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
)

// TestExecIsRelayedAsKubectlSpeaksIt runs client-go's WebSocket executor
// (kubectl exec's) against the API server, which relays the upgraded
// connection to the node's kubelet server.
func TestExecIsRelayedAsKubectlSpeaksIt(t *testing.T) {
	c, hs, _ := serve(t)
	nodeWithKubelet(t, c)
	tests := []struct {
		pod, query string
		stdin      string
		want       string
		wantErr    string
	}{
		{"two", "container=b&command=cat&command=-n&stdin=true&stdout=true", "typed\n", "b: cat -n\ntyped\n", "exit code 3"},
		{"one", "command=ls&stdout=true", "", "app: ls\n", "exit code 3"},
		{"two", "command=ls&stdout=true", "", "", "choose one of: [a b]"},
		{"pending", "command=ls&stdout=true", "", "", "pod pending is not scheduled to a node yet"},
		{"nope", "command=ls&stdout=true", "", "", `pods "nope" not found`},
	}
	for _, tt := range tests {
		u := hs.URL + "/api/v1/namespaces/default/pods/" + tt.pod + "/exec?" + tt.query
		ex, err := remotecommand.NewWebSocketExecutor(&restclient.Config{Host: hs.URL}, "GET", u)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		opts := remotecommand.StreamOptions{Stdout: &out}
		if tt.stdin != "" {
			opts.Stdin = strings.NewReader(tt.stdin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = ex.StreamWithContext(ctx, opts)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("exec %s?%s = %v, want an error containing %q", tt.pod, tt.query, err, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, out.String()); diff != "" {
			t.Errorf("exec %s?%s output (-want +got):\n%s", tt.pod, tt.query, diff)
		}
	}
	// The exit code reaches the client as kubectl reads it.
	ex, _ := remotecommand.NewWebSocketExecutor(&restclient.Config{Host: hs.URL}, "GET", hs.URL+"/api/v1/namespaces/default/pods/one/exec?command=x&stdout=1")
	var code exec.CodeExitError
	if err := ex.StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: io.Discard}); !errors.As(err, &code) || code.Code != 3 {
		t.Errorf("exec = %v, want exit code 3", err)
	}
}

func TestStreamingSubresourcesNeedAnUpgrade(t *testing.T) {
	c, hs, _ := serve(t)
	nodeWithKubelet(t, c)
	for _, sub := range []string{"attach?stdout=1", "portforward"} {
		resp, err := http.Get(hs.URL + "/api/v1/namespaces/default/pods/one/" + sub)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "Upgrade request required") {
			t.Errorf("GET pods/one/%s without an upgrade = %d %s, want 400 Upgrade request required", sub, resp.StatusCode, body)
		}
	}
}

// TestPortForwardIsRelayed forwards through the API server with kubectl's
// dialer (SPDY tunnelled in a WebSocket).
func TestPortForwardIsRelayed(t *testing.T) {
	c, hs, _ := serve(t)
	b := nodeWithKubelet(t, c)
	pod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "from the pod")
	}))
	defer pod.Close()
	b.podAddr = strings.TrimPrefix(pod.URL, "http://")

	u, _ := url.Parse(hs.URL + "/api/v1/namespaces/default/pods/one/portforward")
	dialer, err := portforward.NewSPDYOverWebsocketDialer(u, &restclient.Config{Host: hs.URL})
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
	case <-time.After(10 * time.Second):
		t.Fatal("port-forward not ready after 10s")
	}
	ports, _ := fw.GetPorts()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", ports[0].Local))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "from the pod" {
		t.Errorf("GET through the forward = %q, want %q", body, "from the pod")
	}
}
