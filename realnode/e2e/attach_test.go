package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/tools/remotecommand"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// stdinPod is a pod of one busybox container that runs script with the
// given stdin and tty settings, and is not restarted.
func stdinPod(name, script string, stdin, once, tty bool) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sh, -c, %q]
    stdin: %v
    stdinOnce: %v
    tty: %v
`, name, script, stdin, once, tty)
}

// TestAttachWithStdinAndTTYWithClientGo attaches to containers started
// with stdin (and a terminal) through the API server, with client-go's
// WebSocket executor as kubectl attach uses it, and checks what the
// containers read and wrote and how attach refuses what a container does
// not have.
func TestAttachWithStdinAndTTYWithClientGo(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	cfg := c.restConfig()

	tests := []struct {
		name             string
		script           string
		stdin, once, tty bool
		input            string // sent on the attach's stdin; "" asks for no stdin
		attachTTY        bool
		want             string
		wantErr          string
		wantPhase        api.PodPhase
	}{
		{name: "stdinOnce: the process reads what was sent, then end of file",
			script: "while read x; do echo got $x; done; echo eof", stdin: true, once: true,
			input: "one\ntwo\n", want: "got one\ngot two\neof\n", wantPhase: api.PodSucceeded},
		{name: "a terminal: echo, its size, carriage returns",
			script: "read x; sleep 1; stty size; echo got $x", stdin: true, tty: true,
			input: "hello\n", attachTTY: true, want: "hello\r\n40 120\r\ngot hello\r\n", wantPhase: api.PodSucceeded},
		{name: "stdin to a container without one is refused",
			script: "sleep 3600", input: "x\n", wantErr: "takes no input"},
		{name: "a terminal a container does not have is refused",
			script: "sleep 3600", stdin: true, input: "x\n", attachTTY: true, wantErr: "has no terminal"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("attach-%d", i)
			c.apply(stdinPod(name, tt.script, tt.stdin, tt.once, tt.tty))
			c.eventually(name+" running", 60*time.Second, func() (bool, string) {
				p := c.pod(name)
				return p != nil && p.Status.Phase == api.PodRunning, fmt.Sprintf("%+v", p)
			})
			q := url.Values{"container": {"main"}, "stdout": {"true"}}
			// stdout and stderr are copied by two goroutines: a plain
			// bytes.Buffer would lose what one wrote while the other's
			// ReadFrom held the buffer (it lost everything, now and then).
			out := &lockedBuffer{}
			opts := remotecommand.StreamOptions{Stdout: out, Tty: tt.attachTTY}
			if tt.input != "" {
				q.Set("stdin", "true")
				opts.Stdin = strings.NewReader(tt.input)
			}
			if tt.attachTTY {
				q.Set("tty", "true")
				s := make(oneSize, 1)
				s <- &remotecommand.TerminalSize{Width: 120, Height: 40}
				opts.TerminalSizeQueue = s
			} else {
				q.Set("stderr", "true")
				opts.Stderr = out
			}
			ex, err := remotecommand.NewWebSocketExecutor(cfg, "GET", c.server.URL+"/api/v1/namespaces/default/pods/"+name+"/attach?"+q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = ex.StreamWithContext(ctx, opts)
			switch {
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("attach = %v, want an error saying %q", err, tt.wantErr)
			case tt.wantErr == "" && err != nil:
				t.Fatalf("attach = %v, want success; printed %q", err, out.String())
			}
			if tt.wantErr != "" {
				return
			}
			if out.String() != tt.want {
				t.Errorf("attach printed %q, want %q", out.String(), tt.want)
			}
			c.eventually(name+" "+string(tt.wantPhase), 30*time.Second, func() (bool, string) {
				p := c.pod(name)
				return p != nil && p.Status.Phase == tt.wantPhase, fmt.Sprintf("%+v", p)
			})
		})
	}
}

// TestKubectlRunAndAttachWithStdin runs the machine's kubectl, with no
// extra flags but the image's pull policy (no registry is reachable):
// `kubectl run -i --rm` and `kubectl attach -i`, fed from stdin.
func TestKubectlRunAndAttachWithStdin(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("no kubectl on PATH")
	}
	c := newCluster(t)
	c.startAgent(nodeA)
	// The admin kubeconfig the server wrote: the CA and a client
	// certificate, which kubectl uses unchanged.
	kubeconfig := c.server.Kubeconfig
	run := func(stdin string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, kubectl, args...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		if err != nil {
			err = fmt.Errorf("kubectl %s: %v; stderr: %s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String(), err
	}

	t.Run("run -i --rm", func(t *testing.T) {
		out, err := run("hello\n", "run", "-i", "--rm", "--restart=Never", "--image=busybox", "--image-pull-policy=IfNotPresent",
			"t", "--", "sh", "-c", "read x; echo got $x")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "got hello\n") {
			t.Errorf("kubectl run -i printed %q, want it to contain %q", out, "got hello\n")
		}
		c.eventually("pod t deleted (--rm)", 30*time.Second, func() (bool, string) {
			p := c.pod("t")
			return p == nil, fmt.Sprintf("%+v", p)
		})
	})

	t.Run("attach -i", func(t *testing.T) {
		c.apply(stdinPod("reader", "while read x; do echo got $x; done; echo eof", true, true, false))
		c.eventually("reader running", 60*time.Second, func() (bool, string) {
			p := c.pod("reader")
			return p != nil && p.Status.Phase == api.PodRunning, fmt.Sprintf("%+v", p)
		})
		out, err := run("a\nb\n", "attach", "-i", "reader")
		if err != nil {
			t.Fatal(err)
		}
		if want := "got a\ngot b\neof\n"; !strings.Contains(out, want) {
			t.Errorf("kubectl attach -i printed %q, want it to contain %q", out, want)
		}
	})
}

// pod returns pod name of the default namespace, or nil if there is none.
func (c *cluster) pod(name string) *api.Pod {
	p, err := client.For[*api.Pod](c.client).Get(context.Background(), "default", name)
	if err != nil {
		return nil
	}
	return p
}

// lockedBuffer is a buffer two goroutines may write at once. It has no
// ReadFrom, so io.Copy writes through Write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
