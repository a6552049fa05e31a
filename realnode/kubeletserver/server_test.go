package kubeletserver

import (
	"bufio"
	"context"
	"encoding/json"
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
)

// fakeBackend serves one container, default/web/app, from temp files.
type fakeBackend struct {
	current, previous string
	running           atomic.Bool
}

func (b *fakeBackend) Log(req LogRequest) (string, func() bool, error) {
	if req.Namespace != "default" || req.Pod != "web" || req.Container != "app" {
		return "", nil, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil,
			"container %q in pod %s/%s is not on this node", req.Container, req.Namespace, req.Pod)
	}
	if req.Previous {
		return b.previous, func() bool { return false }, nil
	}
	return b.current, b.running.Load, nil
}

func (b *fakeBackend) Exec(ns, pod, ctr string, cmd []string, timeout time.Duration) (int, string, error) {
	if pod != "web" {
		return 0, "", api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "pod %s/%s is not on this node", ns, pod)
	}
	if cmd[0] == "boom" {
		return 0, "", fmt.Errorf("the runtime failed")
	}
	return len(cmd), fmt.Sprintf("ran %q in %s for at most %v", cmd, ctr, timeout), nil
}

// ExecStream plays a few commands: cat (stdin to stdout), size (the first
// terminal size), exit N, and stderr (a line on stderr, exit 1).
func (b *fakeBackend) ExecStream(ctx context.Context, ns, pod, ctr string, cmd []string, s Streams) (int, error) {
	if pod != "web" {
		return 0, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil, "pod %s/%s is not on this node", ns, pod)
	}
	switch cmd[0] {
	case "cat":
		io.Copy(s.Stdout, s.Stdin)
		return 0, nil
	case "size":
		sz := <-s.Resize
		fmt.Fprintf(s.Stdout, "%dx%d tty=%v", sz.Width, sz.Height, s.TTY)
		return 0, nil
	case "exit":
		n, _ := strconv.Atoi(cmd[1])
		return n, nil
	case "stderr":
		fmt.Fprint(s.Stderr, "oops")
		return 1, nil
	}
	return 0, fmt.Errorf("exec: %q: executable file not found in $PATH", cmd[0])
}

// DialPod dials the loopback port: the test's pod is a local server.
func (b *fakeBackend) DialPod(ctx context.Context, ns, pod string, port int) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
}

func serve(t *testing.T) (*fakeBackend, string) {
	t.Helper()
	dir := t.TempDir()
	b := &fakeBackend{current: filepath.Join(dir, "1.log"), previous: filepath.Join(dir, "0.log")}
	os.WriteFile(b.current, []byte("one\ntwo\nthree\n"), 0o644)
	os.WriteFile(b.previous, []byte("before the restart\n"), 0o644)
	hs := httptest.NewServer(New(b))
	t.Cleanup(hs.Close)
	return b, hs.URL
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLogs(t *testing.T) {
	_, url := serve(t)
	tests := []struct {
		query    string
		wantCode int
		want     string
	}{
		{"", 200, "one\ntwo\nthree\n"},
		{"?tailLines=2", 200, "two\nthree\n"},
		{"?tailLines=0", 200, ""},
		{"?tailLines=99", 200, "one\ntwo\nthree\n"},
		{"?limitBytes=5", 200, "one\nt"},
		{"?tailLines=1&limitBytes=2", 200, "th"},
		{"?previous=true", 200, "before the restart\n"},
		{"?tailLines=-1", 400, `"reason":"BadRequest"`},
		{"?follow=maybe", 400, `follow=\"maybe\"`},
	}
	for _, tt := range tests {
		code, body := get(t, url+"/containerLogs/default/web/app"+tt.query)
		if code != tt.wantCode || (code == 200 && body != tt.want) || (code != 200 && !strings.Contains(body, tt.want)) {
			t.Errorf("GET log%s = %d %q, want %d %q", tt.query, code, body, tt.wantCode, tt.want)
		}
	}
}

func TestLogErrorsAreStatuses(t *testing.T) {
	_, url := serve(t)
	code, body := get(t, url+"/containerLogs/default/web/nope")
	var st api.Status
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 404 || st.Reason != api.ReasonNotFound || st.Kind != "Status" ||
		!strings.Contains(st.Message, `container "nope"`) {
		t.Errorf("log of an unknown container = %d %q, want a 404 NotFound Status naming it", code, body)
	}
	if code, body = get(t, url+"/pods"); code != 404 || !strings.Contains(body, "containerLogs") {
		t.Errorf("GET /pods = %d %q, want a 404 that lists the routes", code, body)
	}
}

func TestTailOfABigFileReadsBackwards(t *testing.T) {
	// Lines of varied lengths across many chunks, some longer than a chunk.
	var sb strings.Builder
	var lines []string
	for i := 0; i < 20000; i++ {
		l := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%97))
		if i%5000 == 1 {
			l += strings.Repeat("y", 3*tailChunk)
		}
		lines = append(lines, l)
		sb.WriteString(l + "\n")
	}
	data := sb.String()
	r := strings.NewReader(data)
	for _, n := range []int{1, 2, 100, 4999, 5000, 5001, 19999, 20000, 20001} {
		off, err := tailOffset(r, int64(len(data)), int64(n))
		if err != nil {
			t.Fatal(err)
		}
		from := max(len(lines)-n, 0)
		want := strings.Join(lines[from:], "\n") + "\n"
		if data[off:] != want {
			t.Errorf("tailOffset(%d lines) = %d: %d bytes, want %d bytes", n, off, len(data)-int(off), len(want))
		}
	}
	// A last line without a newline is a line.
	off, _ := tailOffset(strings.NewReader("a\nb\nc"), 5, 2)
	if off != 2 {
		t.Errorf("tailOffset(a\\nb\\nc, 2) = %d, want 2", off)
	}

	// Over HTTP too, on a file bigger than many chunks.
	b, url := serve(t)
	os.WriteFile(b.current, []byte(data), 0o644)
	if code, body := get(t, url+"/containerLogs/default/web/app?tailLines=3"); code != 200 || body != strings.Join(lines[len(lines)-3:], "\n")+"\n" {
		t.Errorf("tailLines=3 of a big file = %d %q", code, body)
	}
}

func TestFollowStreamsUntilTheRunStops(t *testing.T) {
	b, url := serve(t)
	b.running.Store(true)
	resp, err := http.Get(url + "/containerLogs/default/web/app?follow=true&tailLines=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
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
	if l := next(); l != "three" {
		t.Fatalf("first followed line = %q, want three", l)
	}
	f, _ := os.OpenFile(b.current, os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintln(f, "four")
	if l := next(); l != "four" {
		t.Errorf("after an append the follower read %q, want four", l)
	}
	// The last line written before the run stops still arrives, then the
	// stream ends.
	fmt.Fprintln(f, "five")
	f.Close()
	b.running.Store(false)
	if l := next(); l != "five" {
		t.Errorf("the line written as the run stopped = %q, want five", l)
	}
	if l := next(); l != "(end)" {
		t.Errorf("after the run stopped the follower read %q, want the end", l)
	}
}

func TestFollowWaitsForTheFile(t *testing.T) {
	b, url := serve(t)
	os.Remove(b.current)
	b.running.Store(true)
	go func() {
		time.Sleep(200 * time.Millisecond)
		os.WriteFile(b.current, []byte("late\n"), 0o644)
		time.Sleep(200 * time.Millisecond)
		b.running.Store(false)
	}()
	if code, body := get(t, url+"/containerLogs/default/web/app?follow=1"); code != 200 || body != "late\n" {
		t.Errorf("follow of a log not yet written = %d %q, want late", code, body)
	}
}

func TestExec(t *testing.T) {
	_, url := serve(t)
	post := func(path string) (int, string) {
		resp, err := http.Post(url+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("/exec/default/web/app?command=ls&command=-l&timeoutSeconds=3")
	var res api.ExecResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != 200 || res.ExitCode != 2 || res.Output != `ran ["ls" "-l"] in app for at most 3s` {
		t.Errorf("exec = %d %q, want exit code 2 and the fake's output", code, body)
	}
	if code, body = post("/exec/default/web/app"); code != 400 || !strings.Contains(body, "no command") {
		t.Errorf("exec without a command = %d %q, want 400", code, body)
	}
	if code, body = post("/exec/default/gone/app?command=ls"); code != 404 || !strings.Contains(body, `"reason":"NotFound"`) {
		t.Errorf("exec in a missing pod = %d %q, want a 404 NotFound Status", code, body)
	}
	if code, body = post("/exec/default/web/app?command=boom"); code != 500 || !strings.Contains(body, "the runtime failed") {
		t.Errorf("exec whose backend fails = %d %q, want a 500 with the cause", code, body)
	}
	if code, _ = get(t, url+"/exec/default/web/app?command=ls"); code != 405 {
		t.Errorf("GET exec = %d, want 405", code)
	}
}

func TestFollowStartsOverAfterTruncation(t *testing.T) {
	b, url := serve(t)
	b.running.Store(true)
	go func() {
		time.Sleep(300 * time.Millisecond)
		os.WriteFile(b.current, []byte("new\n"), 0o644) // truncates, as copytruncate does
		time.Sleep(300 * time.Millisecond)
		b.running.Store(false)
	}()
	if code, body := get(t, url+"/containerLogs/default/web/app?follow=true"); code != 200 || body != "one\ntwo\nthree\nnew\n" {
		t.Errorf("follow across a truncation = %d %q, want the old lines then new", code, body)
	}
}
