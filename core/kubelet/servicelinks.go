package kubelet

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// Service links: the variables through which a container finds Services
// without DNS, in the shape Docker's links gave them. Every container sees
// those of the kubernetes Service in default — KUBERNETES_SERVICE_HOST and
// KUBERNETES_SERVICE_PORT are how an in-cluster client (client-go's
// InClusterConfig) finds the API server — and, unless the pod sets
// enableServiceLinks: false, those of every Service in its own namespace.
// They are fixed when the container starts: a Service made later shows in
// the next container only.

// masterServiceName is the Service in default through which pods reach
// the API servers.
const masterServiceName = "kubernetes"

// startServices starts the informer of Services the variables come from.
// It runs from Start: every container needs at least the kubernetes
// Service's variables.
func (k *Kubelet) startServices() {
	k.services = client.NewInformer[*api.Service](k.cfg.Loop, k.cfg.Client, "", client.ListOptions{})
	k.services.Start()
}

// servicesReady reports whether the Services are listed; until then a
// container's variables cannot be made (Kubernetes refuses to start it for
// the same reason), and the pod comes back after configSyncPoll.
func (k *Kubelet) servicesReady() bool {
	return k.services == nil || k.services.HasSynced()
}

// serviceEnv returns the service-link variables of pod's containers, by
// name: the kubernetes Service in default, then (enableServiceLinks unset
// or true) every Service of the pod's namespace, a Service of the pod's
// namespace replacing a master one of the same name. Services without a
// cluster IP (headless, ExternalName) give none.
func (k *Kubelet) serviceEnv(pod *api.Pod) map[string]string {
	env := map[string]string{}
	if k.services == nil {
		return env
	}
	links := pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks
	chosen := map[string]*api.Service{}
	if svc, ok := k.services.Get("default", masterServiceName); ok {
		chosen[svc.Name] = svc
	}
	if links {
		for _, svc := range k.services.ListNamespace(pod.Namespace, api.Everything()) {
			chosen[svc.Name] = svc
		}
	}
	for _, name := range slices.Sorted(maps.Keys(chosen)) {
		serviceLinkVars(chosen[name], env)
	}
	return env
}

// serviceLinkVars adds the variables of one Service to env, named as
// Kubernetes names them for a Service "my-db" with a first port 5432/TCP
// named "pg":
//
//	MY_DB_SERVICE_HOST=10.96.0.12   MY_DB_SERVICE_PORT=5432   MY_DB_SERVICE_PORT_PG=5432
//	MY_DB_PORT=tcp://10.96.0.12:5432
//	MY_DB_PORT_5432_TCP=tcp://10.96.0.12:5432   MY_DB_PORT_5432_TCP_PROTO=tcp
//	MY_DB_PORT_5432_TCP_PORT=5432               MY_DB_PORT_5432_TCP_ADDR=10.96.0.12
//
// (SERVICE_PORT is the first port; every named port also gets its own
// SERVICE_PORT_NAME, and every port its PORT_N_PROTO set.)
func serviceLinkVars(svc *api.Service, env map[string]string) {
	ip := svc.Spec.ClusterIP
	if ip == "" || ip == "None" || len(svc.Spec.Ports) == 0 {
		return
	}
	prefix := envVarName(svc.Name)
	env[prefix+"_SERVICE_HOST"] = ip
	env[prefix+"_SERVICE_PORT"] = strconv.Itoa(int(svc.Spec.Ports[0].Port))
	for i, sp := range svc.Spec.Ports {
		port := strconv.Itoa(int(sp.Port))
		if sp.Name != "" {
			env[prefix+"_SERVICE_PORT_"+envVarName(sp.Name)] = port
		}
		proto := string(sp.Protocol)
		if proto == "" {
			proto = "TCP"
		}
		url := fmt.Sprintf("%s://%s", strings.ToLower(proto), hostPort(ip, port))
		if i == 0 {
			env[prefix+"_PORT"] = url
		}
		pp := prefix + "_PORT_" + port + "_" + strings.ToUpper(proto)
		env[pp] = url
		env[pp+"_PROTO"] = strings.ToLower(proto)
		env[pp+"_PORT"] = port
		env[pp+"_ADDR"] = ip
	}
}

// hostPort joins an IP and a port as a URL holds them ("[fd00::1]:443"
// for IPv6).
func hostPort(ip, port string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + port
	}
	return ip + ":" + port
}

// envVarName turns a Service or port name into a variable name's part:
// upper case, '-' as '_'.
func envVarName(s string) string {
	return strings.ToUpper(strings.ReplaceAll(s, "-", "_"))
}
