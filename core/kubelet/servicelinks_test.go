package kubelet

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

func service(ns, name, ip string, ports ...api.ServicePort) *api.Service {
	return &api.Service{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec: api.ServiceSpec{ClusterIP: ip, Ports: ports}}
}

func TestServiceLinkVars(t *testing.T) {
	tests := []struct {
		svc  *api.Service
		want map[string]string
	}{
		{service("default", "kubernetes", "10.96.0.1", api.ServicePort{Name: "https", Port: 443, Protocol: "TCP"}), map[string]string{
			"KUBERNETES_SERVICE_HOST":       "10.96.0.1",
			"KUBERNETES_SERVICE_PORT":       "443",
			"KUBERNETES_SERVICE_PORT_HTTPS": "443",
			"KUBERNETES_PORT":               "tcp://10.96.0.1:443",
			"KUBERNETES_PORT_443_TCP":       "tcp://10.96.0.1:443",
			"KUBERNETES_PORT_443_TCP_PROTO": "tcp",
			"KUBERNETES_PORT_443_TCP_PORT":  "443",
			"KUBERNETES_PORT_443_TCP_ADDR":  "10.96.0.1",
		}},
		{service("shop", "my-db", "10.96.0.12", api.ServicePort{Port: 5432}, api.ServicePort{Name: "metrics-udp", Port: 9000, Protocol: "UDP"}), map[string]string{
			"MY_DB_SERVICE_HOST":             "10.96.0.12",
			"MY_DB_SERVICE_PORT":             "5432",
			"MY_DB_SERVICE_PORT_METRICS_UDP": "9000",
			"MY_DB_PORT":                     "tcp://10.96.0.12:5432",
			"MY_DB_PORT_5432_TCP":            "tcp://10.96.0.12:5432",
			"MY_DB_PORT_5432_TCP_PROTO":      "tcp",
			"MY_DB_PORT_5432_TCP_PORT":       "5432",
			"MY_DB_PORT_5432_TCP_ADDR":       "10.96.0.12",
			"MY_DB_PORT_9000_UDP":            "udp://10.96.0.12:9000",
			"MY_DB_PORT_9000_UDP_PROTO":      "udp",
			"MY_DB_PORT_9000_UDP_PORT":       "9000",
			"MY_DB_PORT_9000_UDP_ADDR":       "10.96.0.12",
		}},
		{service("shop", "headless", "None", api.ServicePort{Port: 80}), map[string]string{}},
		{service("shop", "external", "", api.ServicePort{Port: 80}), map[string]string{}},
	}
	for _, tt := range tests {
		got := map[string]string{}
		serviceLinkVars(tt.svc, got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("serviceLinkVars(%s/%s) (-want +got):\n%s", tt.svc.Namespace, tt.svc.Name, diff)
		}
	}
}

// envNames returns the names of env, in order.
func envNames(env []EnvVar) []string {
	var out []string
	for _, e := range env {
		out = append(out, e.Name)
	}
	return out
}

func TestContainersGetServiceLinks(t *testing.T) {
	kube := []string{"KUBERNETES_PORT", "KUBERNETES_PORT_443_TCP", "KUBERNETES_PORT_443_TCP_ADDR", "KUBERNETES_PORT_443_TCP_PORT",
		"KUBERNETES_PORT_443_TCP_PROTO", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "KUBERNETES_SERVICE_PORT_HTTPS"}
	tests := []struct {
		name   string
		ns     string
		links  *bool
		want   []string // after the container's own APP and URL
		urlVal string
	}{
		{"default namespace, links on", "default", nil, append([]string{"KUBERNETES_PORT"}, append(kube[1:], "WEB_PORT", "WEB_PORT_80_TCP", "WEB_PORT_80_TCP_ADDR", "WEB_PORT_80_TCP_PORT", "WEB_PORT_80_TCP_PROTO", "WEB_SERVICE_HOST", "WEB_SERVICE_PORT")...), "http://10.96.0.20:80"},
		{"links off: the kubernetes Service only", "default", ptr(false), kube, "http://$(WEB_SERVICE_HOST):80"},
		{"another namespace: its own Services and the kubernetes one", "shop", nil, append([]string{"DB_PORT", "DB_PORT_5432_TCP", "DB_PORT_5432_TCP_ADDR", "DB_PORT_5432_TCP_PORT", "DB_PORT_5432_TCP_PROTO", "DB_SERVICE_HOST", "DB_SERVICE_PORT"}, kube...), "http://$(WEB_SERVICE_HOST):80"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newConfigWorld(t,
				&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "shop"}},
				service("default", "kubernetes", "10.96.0.1", api.ServicePort{Name: "https", Port: 443, Protocol: "TCP"}),
				service("default", "web", "10.96.0.20", api.ServicePort{Port: 80, Protocol: "TCP"}),
				service("shop", "db", "10.96.0.30", api.ServicePort{Port: 5432, Protocol: "TCP"}))
			w.create(webPod(func(p *api.Pod) {
				p.Namespace = tt.ns
				p.Spec.EnableServiceLinks = tt.links
				p.Spec.Containers[0].Env = []api.EnvVar{{Name: "APP", Value: "x"}, {Name: "URL", Value: "http://$(WEB_SERVICE_HOST):80"},
					{Name: "KUBERNETES_SERVICE_PORT", Value: "mine"}}
			}))
			w.v.RunFor(2 * time.Second)
			env := w.rt.configs["app"].Env
			want := append([]string{"APP", "URL", "KUBERNETES_SERVICE_PORT"}, tt.want...)
			// The container's own KUBERNETES_SERVICE_PORT stays, once.
			for i, n := range want[3:] {
				if n == "KUBERNETES_SERVICE_PORT" {
					want = append(want[:3+i], want[4+i:]...)
					break
				}
			}
			if diff := cmp.Diff(want, envNames(env)); diff != "" {
				t.Errorf("env names (-want +got):\n%s", diff)
			}
			if len(env) > 2 && (env[1].Value != tt.urlVal || env[2].Value != "mine") {
				t.Errorf("URL = %q, KUBERNETES_SERVICE_PORT = %q; want %q and the container's own %q", env[1].Value, env[2].Value, tt.urlVal, "mine")
			}
		})
	}
}
