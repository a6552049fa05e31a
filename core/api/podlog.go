package api

import (
	"fmt"
	"net/url"
	"strconv"
)

// PodLogOptions are the query of GET .../pods/{name}/log, as in Kubernetes.
// The API server passes them on to the node's kubelet.
type PodLogOptions struct {
	Container string
	Follow    bool  // keep streaming while the container runs
	Previous  bool  // the run before the current one
	TailLines int64 // the last N lines only (0 with HasTail: none)
	HasTail   bool
	// LimitBytes caps the bytes returned (0: no cap).
	LimitBytes int64
}

// Query encodes o. Container is left out when empty.
func (o PodLogOptions) Query() url.Values {
	q := url.Values{}
	if o.Container != "" {
		q.Set("container", o.Container)
	}
	if o.Follow {
		q.Set("follow", "true")
	}
	if o.Previous {
		q.Set("previous", "true")
	}
	if o.HasTail {
		q.Set("tailLines", strconv.FormatInt(o.TailLines, 10))
	}
	if o.LimitBytes > 0 {
		q.Set("limitBytes", strconv.FormatInt(o.LimitBytes, 10))
	}
	return q
}

// ParsePodLogOptions reads the query of a log request; an error names the
// parameter that is malformed.
func ParsePodLogOptions(q url.Values) (PodLogOptions, error) {
	o := PodLogOptions{Container: q.Get("container")}
	var err error
	if o.Follow, err = queryBool(q, "follow"); err != nil {
		return o, err
	}
	if o.Previous, err = queryBool(q, "previous"); err != nil {
		return o, err
	}
	if o.HasTail = q.Has("tailLines"); o.HasTail {
		if o.TailLines, err = queryCount(q, "tailLines"); err != nil {
			return o, err
		}
	}
	if q.Has("limitBytes") {
		if o.LimitBytes, err = queryCount(q, "limitBytes"); err != nil {
			return o, err
		}
		if o.LimitBytes == 0 {
			return o, fmt.Errorf("limitBytes=0: must be greater than 0")
		}
	}
	return o, nil
}

// PodExecOptions are the query of POST .../pods/{name}/exec. tinykube's
// exec is not interactive: the command runs to completion (or its timeout)
// and its combined output comes back whole as an ExecResult.
type PodExecOptions struct {
	Container      string
	Command        []string
	TimeoutSeconds int64 // 0: the server's default
}

// Query encodes o.
func (o PodExecOptions) Query() url.Values {
	q := url.Values{}
	if o.Container != "" {
		q.Set("container", o.Container)
	}
	for _, c := range o.Command {
		q.Add("command", c)
	}
	if o.TimeoutSeconds > 0 {
		q.Set("timeoutSeconds", strconv.FormatInt(o.TimeoutSeconds, 10))
	}
	return q
}

// ParsePodExecOptions reads the query of an exec request.
func ParsePodExecOptions(q url.Values) (PodExecOptions, error) {
	o := PodExecOptions{Container: q.Get("container"), Command: q["command"]}
	if len(o.Command) == 0 {
		return o, fmt.Errorf("no command: give it as command=ARG, one parameter per argument")
	}
	if q.Has("timeoutSeconds") {
		var err error
		if o.TimeoutSeconds, err = queryCount(q, "timeoutSeconds"); err != nil {
			return o, err
		}
	}
	return o, nil
}

// ExecResult is the answer to an exec: the command's exit code and its
// standard output and error, interleaved as written.
type ExecResult struct {
	ExitCode int    `json:"exitCode"`
	Output   string `json:"output"`
}

func queryBool(q url.Values, name string) (bool, error) {
	if !q.Has(name) {
		return false, nil
	}
	b, err := strconv.ParseBool(q.Get(name))
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", name, q.Get(name))
	}
	return b, nil
}

func queryCount(q url.Values, name string) (int64, error) {
	n, err := strconv.ParseInt(q.Get(name), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s=%q: want a whole number, 0 or more", name, q.Get(name))
	}
	return n, nil
}
