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

// serveAttach streams a running container's output from now on, as
// `kubectl attach` shows it. tinykube starts containers with their output
// going to a log file and no stdin or terminal, so there is nothing to
// type into: asking for stdin is refused.
func (s *Server) serveAttach(w http.ResponseWriter, r *http.Request) {
	opts, err := parseStreamOptions(r.URL.Query(), false)
	if err == nil && (opts.stdin || opts.tty) {
		err = errors.New("attach with stdin or tty is not supported: tinykube starts containers with their output to a log file and no stdin or terminal (spec.containers[].stdin is not implemented); attach without -i/-t to follow the output, or use exec")
	}
	if err != nil {
		writeError(w, badRequest(err))
		return
	}
	path, running, err := s.backend.Log(LogRequest{Namespace: r.PathValue("namespace"), Pod: r.PathValue("pod"), Container: r.PathValue("container")})
	if err != nil {
		writeError(w, err)
		return
	}
	if !running() {
		writeError(w, badRequestf("container %s is not running: there is nothing to attach to", r.PathValue("container")))
		return
	}
	c, ok := upgradeChannels(w, r, false)
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
	out := c.writer(chanStdout)
	tick := time.NewTicker(s.poll)
	defer tick.Stop()
	for {
		alive := running()
		if _, err := fl.drain(out); err != nil || !alive {
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
