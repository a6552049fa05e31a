package client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
)

// Streamer is a Transport that can hand over a response body as it
// arrives, for answers that are not JSON objects and may not end soon (a
// followed log).
type Streamer interface {
	// Stream sends req. A 2xx answer returns its body unread, for the
	// caller to read and close; any other answer comes back whole as a
	// Response.
	Stream(ctx context.Context, req *rest.Request) (io.ReadCloser, *rest.Response, error)
}

// Stream sends req and returns the body of its 2xx answer to read as it
// arrives; a failed answer is an *api.StatusError. Over a Transport that
// is not a Streamer, the whole answer is read first.
func (c *Client) Stream(ctx context.Context, req *rest.Request) (io.ReadCloser, error) {
	s, ok := c.transport.(Streamer)
	if !ok {
		resp, err := c.Do(ctx, req)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(resp.Body)), nil
	}
	body, failed, err := s.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	if failed != nil {
		if c.OnWarning != nil {
			for _, w := range failed.Warnings {
				c.OnWarning(w)
			}
		}
		return nil, statusError(failed)
	}
	return body, nil
}

// podPath is the path of a pod's subresource.
func podPath(namespace, name, sub string) string {
	return "/api/v1/namespaces/" + url.PathEscape(namespace) + "/pods/" + url.PathEscape(name) + "/" + sub
}

// PodLogs returns a container's log as it arrives; with opts.Follow it
// ends when the container stops or ctx ends. Close it when done.
func PodLogs(ctx context.Context, c *Client, namespace, name string, opts api.PodLogOptions) (io.ReadCloser, error) {
	return c.Stream(ctx, &rest.Request{Method: http.MethodGet, Path: podPath(namespace, name, "log"), Query: opts.Query()})
}

// PodExec runs a command in a container to its end and returns its exit
// code and output. A command that ran and failed is not an error.
func PodExec(ctx context.Context, c *Client, namespace, name string, opts api.PodExecOptions) (api.ExecResult, error) {
	var res api.ExecResult
	resp, err := c.Do(ctx, &rest.Request{Method: http.MethodPost, Path: podPath(namespace, name, "exec"), Query: opts.Query()})
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(resp.Body, &res); err != nil {
		return res, errDecode("exec result", err)
	}
	return res, nil
}
