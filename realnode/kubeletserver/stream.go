package kubeletserver

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// TermSize is a terminal's size in characters, as the resize channel
// carries it.
type TermSize struct{ Width, Height uint16 }

// Streams are what an interactive exec is attached to. A nil stream was
// not asked for. With TTY, the process's output all comes on Stdout.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	TTY            bool
	Resize         <-chan TermSize
}

// streamOptions are the query of a streaming exec or attach, as kubectl
// sends it: command=ARG (repeated), stdin, stdout, stderr, tty.
type streamOptions struct {
	command                    []string
	stdin, stdout, stderr, tty bool
}

// parseStreamOptions reads q; exec says whether a command is required.
// The rules and wording follow Kubernetes'.
func parseStreamOptions(q url.Values, exec bool) (streamOptions, error) {
	o := streamOptions{command: q["command"]}
	for _, f := range []struct {
		name string
		v    *bool
	}{{"stdin", &o.stdin}, {"stdout", &o.stdout}, {"stderr", &o.stderr}, {"tty", &o.tty}} {
		if !q.Has(f.name) {
			continue
		}
		b, err := strconv.ParseBool(q.Get(f.name))
		if err != nil {
			return o, fmt.Errorf("%s=%q: want true or false", f.name, q.Get(f.name))
		}
		*f.v = b
	}
	switch {
	case exec && len(o.command) == 0:
		return o, errors.New("no command: give it as command=ARG, one parameter per argument")
	case !o.stdin && !o.stdout && !o.stderr:
		return o, errors.New("you must specify at least 1 of stdin, stdout, stderr")
	case o.tty && o.stderr:
		return o, errors.New("tty and stderr cannot both be true: a terminal merges stderr into stdout")
	}
	return o, nil
}

// serveExecStream runs a command with its streams over the WebSocket
// channel protocol (channel.go): what `kubectl exec` and `kubectl cp`
// speak. The exit code comes back on the error channel as a Status.
func (s *Server) serveExecStream(w http.ResponseWriter, r *http.Request) {
	if !isUpgrade(r) {
		writeError(w, api.NewStatusError(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed, nil,
			"GET %s must upgrade to a WebSocket (%v); a one-shot exec is a POST", r.URL.Path, channelProtocols))
		return
	}
	opts, err := parseStreamOptions(r.URL.Query(), true)
	if err != nil {
		writeError(w, badRequest(err))
		return
	}
	c, ok := upgradeChannels(w, r, opts.stdin)
	if !ok {
		return
	}
	st := Streams{TTY: opts.tty, Resize: c.resize}
	if opts.stdin {
		st.Stdin = c.stdin
	}
	if opts.stdout {
		st.Stdout = c.writer(chanStdout)
	}
	if opts.stderr {
		st.Stderr = c.writer(chanStderr)
	}
	ns, pod, ctr := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	code, err := s.backend.ExecStream(contextUntil(c.done), ns, pod, ctr, opts.command, st)
	c.finish(exitStatus(opts.command, code, err))
}

// exitStatus is the Status that ends an exec: Success for exit code 0;
// NonZeroExitCode with the code as an ExitCode cause (which kubectl turns
// into its own exit code); or the error that kept the command from running.
func exitStatus(cmd []string, code int, err error) api.Status {
	st := api.Status{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Status"}}
	switch {
	case err != nil:
		st.Status, st.Reason, st.Message = "Failure", api.ReasonInternalError, err.Error()
		var se *api.StatusError
		if errors.As(err, &se) {
			st.Reason, st.Code = se.Status.Reason, se.Status.Code
		}
	case code == 0:
		st.Status = "Success"
	default:
		st.Status, st.Reason = "Failure", "NonZeroExitCode"
		st.Message = fmt.Sprintf("command terminated with non-zero exit code: error executing command %q, exit code %d", cmd, code)
		st.Details = &api.StatusDetails{Causes: []api.StatusCause{{Type: "ExitCode", Message: strconv.Itoa(code)}}}
	}
	return st
}

// Attacher is what a Backend implements if its containers can take
// input: a stdin kept open (spec.containers[].stdin) and a terminal
// (tty). Without it attach only shows output.
type Attacher interface {
	// AttachInfo says whether the container's current run takes input
	// on stdin now, and whether it has a terminal.
	AttachInfo(namespace, pod, container string) (stdin, tty bool, err error)
	// Attach copies s.Stdin into the container's stdin until s.Stdin ends,
	// and sets its terminal to each size from s.Resize; with a nil
	// s.Stdin it returns when s.Resize is closed. With the container's
	// stdinOnce its stdin is closed when Attach returns.
	Attach(namespace, pod, container string, s Streams) error
}

// serveAttach connects a client to a running container, as `kubectl
// attach` and `kubectl run -i` do: what the container writes from now on
// comes on stdout (read from its log file, so a terminal's output comes
// there too), and with stdin the client's bytes go to the container's
// stdin; with a terminal its sizes go to the container's terminal. The
// container must have been started with stdin for -i, and with tty for
// -t. Attach ends when the container stops or the client goes.
func (s *Server) serveAttach(w http.ResponseWriter, r *http.Request) {
	ns, pod, ctr := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := parseStreamOptions(r.URL.Query(), false)
	if err != nil {
		writeError(w, badRequest(err))
		return
	}
	att, _ := s.backend.(Attacher)
	hasStdin, hasTTY := false, false
	if att != nil {
		if hasStdin, hasTTY, err = att.AttachInfo(ns, pod, ctr); err != nil {
			writeError(w, err)
			return
		}
	}
	switch {
	case opts.stdin && !hasStdin:
		writeError(w, badRequestf("attach with stdin: container %s takes no input: it was started without stdin (spec.containers[].stdin), or its stdin was closed after the first attach (stdinOnce) or when the node's agent restarted; attach without -i to follow its output, or use exec", ctr))
		return
	case opts.tty && !hasTTY:
		writeError(w, badRequestf("attach with tty: container %s has no terminal (spec.containers[].tty is false); attach without -t", ctr))
		return
	}
	path, running, err := s.backend.Log(LogRequest{Namespace: ns, Pod: pod, Container: ctr})
	if err != nil {
		writeError(w, err)
		return
	}
	if !running() {
		writeError(w, badRequestf("container %s is not running: there is nothing to attach to", ctr))
		return
	}
	c, ok := upgradeChannels(w, r, opts.stdin)
	if !ok {
		return
	}
	// From the end: attach shows what the container writes from now on.
	fl := &follower{path: path}
	if fi, err := os.Stat(path); err == nil {
		fl.offset = fi.Size()
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.finish(exitStatus(nil, 0, err))
		return
	}
	defer fl.close()
	if att != nil && (opts.stdin || opts.tty) {
		st := Streams{TTY: opts.tty, Resize: c.resize}
		if opts.stdin {
			st.Stdin = c.stdin
		}
		// Runs until the client's stdin ends (or, without stdin, the
		// connection); the output is followed meanwhile below.
		go att.Attach(ns, pod, ctr, st)
	}
	out := c.writer(chanStdout)
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	for {
		alive := running()
		_, err := fl.drain(out)
		if err == nil && !alive {
			// The runtime may tell of the exit before the last output
			// is in the file (containerd's shim copies it after the
			// exit, and on a busy machine that can take a while): read
			// on until the file has stopped growing for a second and at
			// least a few polls.
			last := time.Now()
			for quiet := 0; (quiet < 5 || time.Since(last) < time.Second) && err == nil; {
				time.Sleep(s.poll)
				var n int64
				if n, err = fl.drain(out); n > 0 {
					quiet, last = 0, time.Now()
				} else {
					quiet++
				}
			}
		}
		if err != nil || !alive {
			c.finish(exitStatus(nil, 0, err))
			return
		}
		select {
		case <-c.done:
			c.ws.Close()
			return
		case <-tick.C:
		}
	}
}

func badRequestf(format string, args ...any) error {
	return api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, format, args...)
}

// isUpgrade reports whether r asks to switch protocols (WebSocket or SPDY).
func isUpgrade(r *http.Request) bool {
	return strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") && r.Header.Get("Upgrade") != ""
}
