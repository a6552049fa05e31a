package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// nodeProxy answers pods/{name}/log and pods/{name}/exec. The core API
// server only stores objects; the logs and processes are on the pod's
// node, so this front looks the pod and its node up through the core API
// and relays the request to the node's kubelet server
// (realnode/kubeletserver), as Kubernetes' API server proxies to port
// 10250.
type nodeProxy struct {
	api *client.Client
	// kubelets dial the kubelet servers, over HTTPS when configured (see
	// KubeletTLS). The clients have no overall timeout: a followed log
	// lasts as long as its reader, and the request's context ends the
	// relay when the client goes away.
	kubelets *kubeletTransports
}

func newNodeProxy(h Handle, k *KubeletTLS) *nodeProxy {
	return &nodeProxy{api: client.New(client.Local(h)), kubelets: &kubeletTransports{tls: k}}
}

// podSubresource recognises /api/v1/namespaces/{ns}/pods/{name}/log,
// .../exec, .../attach and .../portforward.
func podSubresource(path string) (ns, name, sub string, ok bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 7 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces" || parts[4] != "pods" {
		return "", "", "", false
	}
	switch parts[6] {
	case "log", "exec", "attach", "portforward":
	default:
		return "", "", "", false
	}
	return parts[3], parts[5], parts[6], true
}

// serve relays one log or exec request to the pod's node.
func (p *nodeProxy) serve(w http.ResponseWriter, r *http.Request, ns, name, sub string) {
	if sub == "attach" || sub == "portforward" || (sub == "exec" && isUpgrade(r)) {
		p.serveUpgrade(w, r, ns, name, sub)
		return
	}
	var container string
	var query url.Values
	method := http.MethodGet
	switch sub {
	case "log":
		opts, err := api.ParsePodLogOptions(r.URL.Query())
		if err != nil {
			writeStatus(w, errBadRequest("%v", err))
			return
		}
		container, opts.Container = opts.Container, ""
		query = opts.Query()
	case "exec":
		opts, err := api.ParsePodExecOptions(r.URL.Query())
		if err != nil {
			writeStatus(w, errBadRequest("%v", err))
			return
		}
		container, opts.Container = opts.Container, ""
		query = opts.Query()
		method = http.MethodPost
	}
	if r.Method != method {
		writeStatus(w, api.NewStatusError(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed, nil,
			"the server does not allow this method on the requested resource (%s %s): pods/%s is %s", r.Method, r.URL.Path, sub, method))
		return
	}
	ctx := r.Context()
	pod, err := client.For[*api.Pod](p.api).Get(ctx, ns, name)
	if err != nil {
		writeStatus(w, err)
		return
	}
	if container, err = chooseContainer(pod, container); err != nil {
		writeStatus(w, err)
		return
	}
	addr, err := p.kubeletAddress(ctx, pod)
	if err != nil {
		writeStatus(w, err)
		return
	}
	route := "/containerLogs/"
	if sub == "exec" {
		route = "/exec/"
	}
	u := p.kubelets.scheme() + "://" + addr + route + url.PathEscape(ns) + "/" + url.PathEscape(name) + "/" + url.PathEscape(container)
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		writeStatus(w, err)
		return
	}
	resp, err := (&http.Client{Transport: p.kubelets.forNode(pod.Spec.NodeName)}).Do(req)
	if err != nil {
		if ctx.Err() == nil {
			writeStatus(w, api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
				"cannot reach the kubelet of node %s at %s: %v", pod.Spec.NodeName, addr, err))
		}
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	relay(w, resp.Body)
}

// relay copies body to w as it arrives, flushing after every read so a
// followed log reaches the client line by line, until body ends or a
// write fails (the client went away).
func relay(w http.ResponseWriter, body io.Reader) {
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}

// chooseContainer returns the container a request is about: the one
// named, or the pod's only container. The messages are Kubernetes'.
func chooseContainer(pod *api.Pod, name string) (string, error) {
	var names, inits []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.InitContainers {
		inits = append(inits, c.Name)
	}
	if name == "" {
		if len(names) == 1 {
			return names[0], nil
		}
		msg := fmt.Sprintf("a container name must be specified for pod %s, choose one of: %v", pod.Name, names)
		if len(inits) > 0 {
			msg += fmt.Sprintf(" or one of the init containers: %v", inits)
		}
		return "", errBadRequest("%s", msg)
	}
	for _, n := range append(names, inits...) {
		if n == name {
			return name, nil
		}
	}
	return "", errBadRequest("container %s is not valid for pod %s", name, pod.Name)
}

// kubeletAddress returns host:port of the kubelet server on pod's node:
// the node's InternalIP and the port it publishes in
// status.daemonEndpoints.kubeletEndpoint.
func (p *nodeProxy) kubeletAddress(ctx context.Context, pod *api.Pod) (string, error) {
	nodeName := pod.Spec.NodeName
	if nodeName == "" {
		return "", errBadRequest("pod %s is not scheduled to a node yet: it has no containers to read logs from or exec in", pod.Name)
	}
	node, err := client.For[*api.Node](p.api).Get(ctx, "", nodeName)
	if api.IsNotFound(err) {
		return "", errBadRequest("pod %s is bound to node %s, which no longer exists", pod.Name, nodeName)
	}
	if err != nil {
		return "", err
	}
	return kubeletAddressOf(node)
}

func errBadRequest(format string, args ...any) error {
	return api.NewStatusError(http.StatusBadRequest, api.ReasonBadRequest, nil, format, args...)
}

// writeStatus answers with err as a Kubernetes Status: an
// *api.StatusError keeps its code, anything else is a 500.
func writeStatus(w http.ResponseWriter, err error) {
	var se *api.StatusError
	if !errors.As(err, &se) {
		se = api.NewStatusError(http.StatusInternalServerError, api.ReasonInternalError, nil, "%v", err)
	}
	b, _ := json.Marshal(se.Status)
	code := int(se.Status.Code)
	if code == 0 {
		code = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}
