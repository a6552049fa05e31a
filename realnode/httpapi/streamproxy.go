package httpapi

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// serveUpgrade relays kubectl's exec, attach and port-forward connections
// to the pod's node. These switch protocols (a WebSocket carrying
// Kubernetes' channel protocol or SPDY, or a plain SPDY upgrade): the API
// server checks the pod, its container and its node, then forwards the
// upgrade request to the kubelet server and, once the kubelet has
// switched, copies bytes both ways without reading them. Only the kubelet
// (realnode/kubeletserver) speaks the protocols, so a protocol kubectl
// falls back to needs no change here.
func (p *nodeProxy) serveUpgrade(w http.ResponseWriter, r *http.Request, ns, name, sub string) {
	if !isUpgrade(r) {
		writeStatus(w, errBadRequest("Upgrade request required: pods/%s speaks WebSocket (or SPDY) only, as kubectl %s does", sub, sub))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		writeStatus(w, api.NewStatusError(http.StatusMethodNotAllowed, api.ReasonMethodNotAllowed, nil,
			"the server does not allow this method on the requested resource (%s %s): pods/%s is GET or POST", r.Method, r.URL.Path, sub))
		return
	}
	ctx := r.Context()
	pod, err := client.For[*api.Pod](p.api).Get(ctx, ns, name)
	if err != nil {
		writeStatus(w, err)
		return
	}
	if pod.Status.Phase == api.PodSucceeded || pod.Status.Phase == api.PodFailed {
		writeStatus(w, errBadRequest("cannot %s into a container in a completed pod; current phase is %s", sub, pod.Status.Phase))
		return
	}
	route := "/portForward/" + url.PathEscape(ns) + "/" + url.PathEscape(name)
	if sub != "portforward" {
		container, err := chooseContainer(pod, r.URL.Query().Get("container"))
		if err != nil {
			writeStatus(w, err)
			return
		}
		route = "/" + sub + "/" + url.PathEscape(ns) + "/" + url.PathEscape(name) + "/" + url.PathEscape(container)
	}
	addr, err := p.kubeletAddress(ctx, pod)
	if err != nil {
		writeStatus(w, err)
		return
	}
	rp := &httputil.ReverseProxy{
		Transport: p.kubelets.forNode(pod.Spec.NodeName),
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = &url.URL{Scheme: p.kubelets.scheme(), Host: addr, Path: route, RawQuery: r.URL.RawQuery}
			pr.Out.Host = addr
			// The kubelet needs no credentials of the user's.
			pr.Out.Header.Del("Authorization")
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			writeStatus(w, api.NewStatusError(http.StatusServiceUnavailable, api.ReasonServiceUnavailable, nil,
				"cannot reach the kubelet of node %s at %s: %v", pod.Spec.NodeName, addr, err))
		},
	}
	rp.ServeHTTP(w, r)
}

// isUpgrade reports whether r asks to switch protocols.
func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return r.Header.Get("Upgrade") != ""
			}
		}
	}
	return false
}
