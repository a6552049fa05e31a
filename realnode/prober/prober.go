package prober

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/kubelet"
)

// Prober is kubelet.Prober for real containers.
type Prober struct {
	// Exec runs a command in a container (the runtime's Exec).
	Exec func(containerID string, cmd []string, timeout time.Duration) (int, string, error)
}

var _ kubelet.Prober = (*Prober)(nil)

// maxOutput is how much of a failing probe's answer the message keeps.
const maxOutput = 1024

// Probe implements kubelet.Prober.
func (p *Prober) Probe(pod *api.Pod, podIP string, c kubelet.Container, probe *api.Probe) kubelet.ProbeResult {
	timeout := time.Duration(probe.TimeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = time.Second
	}
	switch {
	case probe.Exec != nil:
		return p.exec(c, probe.Exec.Command, timeout)
	case probe.HTTPGet != nil:
		return httpGet(pod, podIP, c, probe.HTTPGet, timeout)
	case probe.TCPSocket != nil:
		port, err := resolvePort(pod, c, probe.TCPSocket.Port)
		if err != nil {
			return fail(err.Error())
		}
		host := probe.TCPSocket.Host
		if host == "" {
			host = podIP
		}
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(port)), timeout)
		if err != nil {
			return fail(fmt.Sprintf("dial tcp %s: %v", net.JoinHostPort(host, strconv.Itoa(port)), unwrapOp(err)))
		}
		conn.Close()
		return kubelet.ProbeResult{Success: true}
	}
	return fail("the probe names no handler (exec, httpGet or tcpSocket)")
}

func fail(msg string) kubelet.ProbeResult { return kubelet.ProbeResult{Message: msg} }

func (p *Prober) exec(c kubelet.Container, cmd []string, timeout time.Duration) kubelet.ProbeResult {
	if p.Exec == nil {
		return fail("exec probes are not supported here")
	}
	code, out, err := p.Exec(c.ID, cmd, timeout)
	if err != nil {
		return fail(err.Error())
	}
	if code != 0 {
		return fail(fmt.Sprintf("command %q exited with %d: %s", strings.Join(cmd, " "), code, clip(out)))
	}
	return kubelet.ProbeResult{Success: true}
}

// httpGet passes on a status from 200 to 399, as Kubernetes' does. It
// does not follow redirects to other hosts and does not check TLS
// certificates (a pod's certificate rarely names its IP).
func httpGet(pod *api.Pod, podIP string, c kubelet.Container, get *api.HTTPGetAction, timeout time.Duration) kubelet.ProbeResult {
	port, err := resolvePort(pod, c, get.Port)
	if err != nil {
		return fail(err.Error())
	}
	host := get.Host
	if host == "" {
		host = podIP
	}
	scheme := strings.ToLower(get.Scheme)
	if scheme == "" {
		scheme = "http"
	}
	path := get.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(port)) + path
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
			DisableKeepAlives: true,
			Proxy:             nil,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Hostname() != host || len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return fail(err.Error())
	}
	req.Header.Set("User-Agent", "tinykube-probe")
	resp, err := client.Do(req)
	if err != nil {
		return fail(fmt.Sprintf("Get %q: %v", url, unwrapOp(err)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxOutput))
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fail(fmt.Sprintf("HTTP probe failed with statuscode: %d: %s", resp.StatusCode, clip(string(body))))
	}
	return kubelet.ProbeResult{Success: true}
}

// resolvePort turns a probe's port (a number, or the name of one of the
// container's ports) into a number.
func resolvePort(pod *api.Pod, c kubelet.Container, port api.IntOrString) (int, error) {
	if !port.IsString {
		if port.IntVal <= 0 || port.IntVal > 65535 {
			return 0, fmt.Errorf("invalid port number %d", port.IntVal)
		}
		return int(port.IntVal), nil
	}
	if n, err := strconv.Atoi(port.StrVal); err == nil {
		return n, nil
	}
	for _, spec := range pod.Spec.Containers {
		if spec.Name != c.Name {
			continue
		}
		for _, p := range spec.Ports {
			if p.Name == port.StrVal {
				return int(p.ContainerPort), nil
			}
		}
	}
	return 0, fmt.Errorf("container %s has no port named %q", c.Name, port.StrVal)
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxOutput {
		s = s[:maxOutput] + "…"
	}
	return s
}

// unwrapOp drops the "dial tcp 10.0.0.5:80:" prefix a net error repeats.
func unwrapOp(err error) error {
	if op, ok := err.(*net.OpError); ok && op.Err != nil {
		return op.Err
	}
	return err
}
