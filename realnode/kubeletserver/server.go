package kubeletserver

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// LogRequest names the log a client asks for.
type LogRequest struct {
	Namespace, Pod, Container string
	// Previous asks for the run before the current one (after a restart).
	Previous bool
}

// Backend is what the server needs from the node's agent.
type Backend interface {
	// Log finds the log file of a container's current run (or the run
	// before, with Previous) and reports whether that run still runs.
	Log(req LogRequest) (path string, running func() bool, err error)
	// Exec runs cmd in the container's current run and returns its exit
	// code and combined output.
	Exec(namespace, pod, container string, cmd []string, timeout time.Duration) (exitCode int, output string, err error)
	// ExecStream runs cmd in the container's current run attached to s
	// and returns its exit code; it kills the command when ctx ends.
	ExecStream(ctx context.Context, namespace, pod, container string, cmd []string, s Streams) (exitCode int, err error)
	// DialPod connects to a TCP port of the pod, in its network.
	DialPod(ctx context.Context, namespace, pod string, port int) (net.Conn, error)
}

// DefaultExecTimeout bounds an exec whose request gives no timeoutSeconds.
const DefaultExecTimeout = time.Minute

// DefaultPoll is how often a followed log file is checked for new bytes.
const DefaultPoll = 100 * time.Millisecond

// Server serves a Backend over HTTP. Build it with New.
type Server struct {
	backend Backend
	poll    time.Duration
	mux     *http.ServeMux
}

// New returns a server over b that polls followed logs every DefaultPoll.
func New(b Backend) *Server {
	s := &Server{backend: b, poll: DefaultPoll, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", s.serveLog)
	s.mux.HandleFunc("POST /exec/{namespace}/{pod}/{container}", s.serveExec)
	// The streaming routes kubectl's requests are relayed to: WebSocket
	// upgrades are GETs, SPDY upgrades POSTs.
	s.mux.HandleFunc("GET /exec/{namespace}/{pod}/{container}", s.serveExecStream)
	s.mux.HandleFunc("GET /attach/{namespace}/{pod}/{container}", s.serveAttach)
	s.mux.HandleFunc("POST /attach/{namespace}/{pod}/{container}", s.serveAttach)
	s.mux.HandleFunc("GET /portForward/{namespace}/{pod}", s.servePortForward)
	s.mux.HandleFunc("POST /portForward/{namespace}/{pod}", s.servePortForward)
	s.mux.HandleFunc("GET /stats/summary", s.serveSummary)
	for _, p := range []string{"/containerLogs/{namespace}/{pod}/{container}", "/exec/{namespace}/{pod}/{container}", "/stats/summary"} {
		s.mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, api.NewStatusError(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed, nil,
				"the kubelet does not allow %s on %s (logs and stats are GET, exec is POST)", r.Method, r.URL.Path))
		})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, api.NewStatusError(http.StatusNotFound, api.ReasonNotFound, nil,
			"the kubelet serves no %s %s: it answers GET /containerLogs/{namespace}/{pod}/{container}, POST /exec/{namespace}/{pod}/{container} and GET /stats/summary", r.Method, r.URL.Path))
	})
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// serveExec runs the command and answers with an api.ExecResult. A
// command that ran and failed is a 200 with its exit code; only a
// command that could not run is an error.
func (s *Server) serveExec(w http.ResponseWriter, r *http.Request) {
	if isUpgrade(r) {
		writeError(w, badRequestf("exec speaks the WebSocket protocols %v, not %s: upgrade with a GET", channelProtocols, r.Header.Get("Upgrade")))
		return
	}
	opts, err := api.ParsePodExecOptions(r.URL.Query())
	if err != nil {
		writeError(w, badRequest(err))
		return
	}
	timeout := DefaultExecTimeout
	if opts.TimeoutSeconds > 0 {
		timeout = time.Duration(opts.TimeoutSeconds) * time.Second
	}
	ns, pod, ctr := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	code, out, err := s.backend.Exec(ns, pod, ctr, opts.Command, timeout)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ExecResult{ExitCode: code, Output: out})
}

// contextUntil returns a context that ends when done is closed.
func contextUntil(done <-chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-done
		cancel()
	}()
	return ctx
}

func badRequest(err error) error {
	return api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, "%s", err.Error())
}

// writeError answers with err as a Status: an *api.StatusError keeps its
// code and reason, anything else is a 500 InternalError.
func writeError(w http.ResponseWriter, err error) {
	var se *api.StatusError
	if !errors.As(err, &se) {
		se = api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil, "%s", err.Error())
	}
	st := se.Status
	if st.Code == 0 {
		st.Code = http.StatusInternalServerError
	}
	if st.Kind == "" {
		st.TypeMeta = api.TypeMeta{APIVersion: "v1", Kind: "Status"}
	}
	st.Status = "Failure"
	writeJSON(w, int(st.Code), st)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}
