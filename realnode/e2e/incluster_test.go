package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/netnstest"
	"github.com/tinykube/tinykube/realnode/testimage"
)

// inClusterImage is the busybox test image with the in-cluster client
// (realnode/e2e/incluster) as /bin/incluster, its default command.
const inClusterImage = "docker.io/tinykube/incluster:e2e"

// newPodReachableCluster is a cluster whose API pods can reach: the test
// namespace gets an uplink address, the server advertises it (and, as it
// listens on loopback, serves the API there too), so the kubernetes
// Service's Endpoints point where a pod's packets can go.
func newPodReachableCluster(t *testing.T) *cluster {
	t.Helper()
	netnstest.Require(t, "nft")
	nodeIP := netnstest.Uplink(t)
	return newCluster(t, func(cfg *controlplane.Config) { cfg.AdvertiseAddress = nodeIP })
}

// importInClusterImage builds the in-cluster client (CGO_ENABLED=0, so it
// runs in the static busybox image), adds it to the image and imports that
// into node n's containerd namespace.
func (c *cluster) importInClusterImage(n nodeSpec) {
	c.t.Helper()
	dir := c.t.TempDir()
	bin := filepath.Join(dir, "incluster")
	build := exec.Command("go", "build", "-o", bin, "./incluster")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		c.t.Fatalf("building the in-cluster client: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		c.t.Fatal(err)
	}
	archive := filepath.Join(dir, "incluster.tar")
	if err := testimage.BuildFile(archive, testimage.Options{Name: inClusterImage, Cmd: []string{"/bin/incluster"},
		Files: map[string]testimage.File{"bin/incluster": {Data: data, Mode: 0o755}}}); err != nil {
		c.t.Fatal(err)
	}
	cl, err := containerdrt.Dial(c.ctrd.Socket, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	defer cl.Close()
	f, err := os.Open(archive)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	if _, err := containerdrt.Import(cl, n.namespace, "", f, nil); err != nil {
		c.t.Fatal(err)
	}
}

// podLog returns the log of a pod's only container.
func (c *cluster) podLog(pod string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := client.PodLogs(ctx, c.client, "default", pod, api.PodLogOptions{})
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

// Every container learns where the API is from the kubernetes Service
// (KUBERNETES_SERVICE_HOST/PORT, the service links) and reaches an API
// server through it: the node's proxy sends the Service's cluster IP to
// the Endpoints the servers keep, their advertise addresses.
func TestPodReachesTheAPIThroughTheKubernetesService(t *testing.T) {
	c := newPodReachableCluster(t)
	c.startAgent(nodeA)
	c.apply(`apiVersion: v1
kind: Pod
metadata: {name: probe, labels: {app: probe}}
spec:
  containers:
  - name: probe
    image: busybox
    imagePullPolicy: Never
    command: [sh, -c, 'env | grep ^KUBERNETES_ | sort; sleep 3600']
`)
	c.running("app=probe", 1)
	env := c.podLog("probe")
	for _, want := range []string{"KUBERNETES_SERVICE_HOST=10.96.0.1", "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443",
		"KUBERNETES_PORT=tcp://10.96.0.1:443", "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1", "KUBERNETES_PORT_443_TCP_PROTO=tcp"} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("the container's environment has no %s; it has:\n%s", want, env)
		}
	}
	// An answer of the API server, whatever the scheme: its /version over
	// plain HTTP, or the 400 a TLS server gives a plain HTTP request.
	var out string
	c.eventually("the API answering at 10.96.0.1:443 from the pod", 30*time.Second, func() (bool, string) {
		// (No wget -T: Debian's busybox-static wget crashes with it.)
		out, _ = c.execIn("probe", "probe", "timeout 5 wget -O- http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/version 2>&1")
		return strings.Contains(out, `"gitVersion"`) || strings.Contains(out, "400 Bad Request"), out
	})
}

// A pod's ServiceAccount token lets a client-go program in the pod
// (InClusterConfig) do what the account's Role allows and no more: it
// lists the pods of its namespace and is refused a Secret. The token is
// the kubelet's (TokenRequest, bound to the pod), the CA the
// kube-root-ca.crt ConfigMap's, the address the kubernetes Service's.
func TestInClusterClientIsAllowedWhatItsRoleAllows(t *testing.T) {
	c := newPodReachableCluster(t)
	// This needs the identity parts of the API server: the token
	// subresource, HTTPS with the cluster CA, RBAC. Say so, rather than
	// fail, on an API server that has none of them.
	_, err := client.CreateToken(context.Background(), c.client, "default", "default", &api.TokenRequest{})
	if api.ReasonOf(err) == api.ReasonMethodNotAllowed {
		t.Skipf("the API server signs no ServiceAccount tokens (%v): nothing for an in-cluster client to authenticate with", err)
	}
	c.startAgent(nodeA)
	c.importInClusterImage(nodeA)
	c.apply(`apiVersion: v1
kind: ServiceAccount
metadata: {name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-reader}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-reads-pods}
subjects:
- kind: ServiceAccount
  name: reader
  namespace: default
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: pod-reader
---
apiVersion: v1
kind: Secret
metadata: {name: db-password}
stringData: {password: s3cret}
---
apiVersion: v1
kind: Pod
metadata: {name: incluster, labels: {app: incluster}}
spec:
  serviceAccountName: reader
  containers:
  - name: client
    image: ` + inClusterImage + `
    imagePullPolicy: Never
    command: [/bin/incluster, db-password]
`)
	c.running("app=incluster", 1)
	var log string
	c.eventually("the in-cluster client's verdicts", 60*time.Second, func() (bool, string) {
		log = c.podLog("incluster")
		return strings.Contains(log, "DONE"), log
	})
	for _, want := range []string{"ALLOWED list pods", "FORBIDDEN get secrets/db-password"} {
		if !strings.Contains(log, want) {
			t.Errorf("the in-cluster client's log has no %q line; it is:\n%s", want, log)
		}
	}
	p := c.pod("incluster")
	var mounted bool
	for _, v := range p.Spec.Volumes {
		if v.Projected != nil {
			for _, s := range v.Projected.Sources {
				mounted = mounted || s.ServiceAccountToken != nil
			}
		}
	}
	if !mounted {
		t.Errorf("pod incluster has no projected serviceAccountToken volume: %s", fmt.Sprint(p.Spec.Volumes))
	}
}
