package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// DefaultBodyTimeout is how long a client has to send a request's body
// once its headers are in: a client that trickles a body a byte a second
// holds a connection, a goroutine and a growing buffer, and is cut off
// after this.
const DefaultBodyTimeout = 60 * time.Second

// readBody reads r's body, at most rest.MaxBodyBytes+1 bytes of it (the
// API server answers a longer one 413), within timeout (DefaultBodyTimeout
// when 0). The deadline is set on this request's connection
// (http.ResponseController, on HTTP/1 and HTTP/2 alike) and cleared once
// the body is in, so that a long response, such as a watch, is not cut by
// it: http.Server.ReadTimeout would be, since it holds for the whole
// request. It returns the body, or the error to answer: 408 when the
// client was too slow, 400 when the body could not be read.
func readBody(w http.ResponseWriter, r *http.Request, timeout time.Duration) ([]byte, error) {
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	rc := http.NewResponseController(w)
	// A writer without deadlines (a test's recorder) reads without one.
	deadline := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rest.MaxBodyBytes+1))
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection is closed after this answer, the deadline left
		// in place: the rest of the body is never read.
		w.Header().Set("Connection", "close")
		return nil, api.NewStatusError(http.StatusRequestTimeout, api.ReasonTimeout, nil,
			"the request body was not received within %s (%d bytes came): send it at once, or split it into smaller requests", timeout, len(body))
	}
	if deadline {
		rc.SetReadDeadline(time.Time{})
	}
	if err == nil || len(body) > rest.MaxBodyBytes {
		return body, nil
	}
	return nil, errBadRequest("reading the request body: %v", err)
}
