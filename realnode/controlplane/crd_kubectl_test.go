package controlplane

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/realnode/netnstest"
)

// kubectlRunner runs the machine's real kubectl, with default flags, as
// the admin of one server.
type kubectlRunner struct {
	t          *testing.T
	bin        string
	kubeconfig string
}

// run runs kubectl with args (and stdin, when not empty) and returns its
// combined output and error.
func (k kubectlRunner) run(stdin string, args ...string) (string, error) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--kubeconfig", k.kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECACHEDIR="+filepath.Join(k.t.TempDir(), "cache"))
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// must runs kubectl and fails the test if it fails.
func (k kubectlRunner) must(stdin string, args ...string) string {
	k.t.Helper()
	out, err := k.run(stdin, args...)
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// requireKubectl returns the path of kubectl, skipping the test when there
// is none (failing it when TINYKUBE_REQUIRE_E2E=1).
func requireKubectl(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv(netnstest.EnvRequireE2E) == "1" {
			t.Fatalf("kubectl is not in PATH (failing instead of skipping because %s=1)", netnstest.EnvRequireE2E)
		}
		t.Skip("kubectl is not in PATH")
	}
	return bin
}

const cronTab = `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: c1
  labels: {app: cron}
spec:
  cronSpec: "* * * * */5"
  image: %IMAGE%
  replicas: 1
`

// TestCustomResourcesWithKubectl drives custom resources with the real
// kubectl over TLS, as a user would: definitions in the shape of
// well-known projects' are applied unchanged and waited for, then a
// CronTab is listed, described, patched three ways, applied client- and
// server-side, watched, and its definition deleted. Checks that depend on
// other parts of the custom resources work (printer columns, schema
// validation, the definition's cleanup) skip their subtest, naming the
// seam, when the server does not do that part yet.
func TestCustomResourcesWithKubectl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	bin := requireKubectl(t)
	cfg := serverConfig(t, "crd", filepath.Join(t.TempDir(), "crd"))
	s := start(t, cfg)
	k := kubectlRunner{t: t, bin: bin, kubeconfig: s.Kubeconfig}

	k.must("", "apply", "-f", filepath.Join("testdata", "crds"))
	k.must("", "wait", "--for", "condition=established", "--timeout=60s",
		"crd/crontabs.stable.example.com", "crd/certificates.certs.example.io", "crd/servicemonitors.monitoring.example.com")

	out := k.must("", "api-resources", "--api-group=stable.example.com")
	if !strings.Contains(out, "crontabs") || !strings.Contains(out, "ct") || !strings.Contains(out, "CronTab") {
		t.Errorf("kubectl api-resources --api-group=stable.example.com:\n%s\nwant crontabs (ct) CronTab", out)
	}

	k.must(strings.ReplaceAll(cronTab, "%IMAGE%", "busybox"), "apply", "-f", "-")
	if got := k.must("", "get", "ct", "c1", "-o", "jsonpath={.spec.image}"); got != "busybox" {
		t.Errorf("after apply, spec.image = %q, want busybox", got)
	}

	t.Run("printer columns", func(t *testing.T) {
		out := k.must("", "get", "crontabs")
		header, _, _ := strings.Cut(out, "\n")
		if !strings.Contains(header, "SPEC") || !strings.Contains(header, "REPLICAS") {
			// TODO(printers): core/apiserver's Table for custom
			// resources (additionalPrinterColumns) is the printers
			// helper's seam.
			t.Skipf("kubectl get crontabs header %q lacks SPEC and REPLICAS: the server's Table does not have the printer columns yet", header)
		}
		if !strings.Contains(out, "c1") || !strings.Contains(out, "* * * * */5") {
			t.Errorf("kubectl get crontabs:\n%s\nwant c1 with its cron spec", out)
		}
	})

	// Client-side apply again with a change: kubectl finds no strategic
	// merge patch in OpenAPI v3 for the kind and sends a merge patch.
	k.must(strings.ReplaceAll(cronTab, "%IMAGE%", "alpine"), "apply", "-f", "-")
	if got := k.must("", "get", "ct", "c1", "-o", "jsonpath={.spec.image}"); got != "alpine" {
		t.Errorf("after the second apply, spec.image = %q, want alpine", got)
	}

	for _, tt := range []struct {
		typ, patch, path, want string
	}{
		{"merge", `{"spec":{"replicas":2}}`, "{.spec.replicas}", "2"},
		{"json", `[{"op":"replace","path":"/spec/replicas","value":3}]`, "{.spec.replicas}", "3"},
		{"strategic", `{"spec":{"tags":["a","b"]}}`, "{.spec.tags}", `["a","b"]`},
	} {
		k.must("", "patch", "crontab", "c1", "--type", tt.typ, "-p", tt.patch)
		if got := k.must("", "get", "ct", "c1", "-o", "jsonpath="+tt.path); got != tt.want {
			t.Errorf("after patch --type %s, %s = %q, want %q", tt.typ, tt.path, got, tt.want)
		}
	}

	ssa := strings.ReplaceAll(cronTab, "%IMAGE%", "nginx")
	ssa = strings.Replace(ssa, "replicas: 1", "replicas: 4", 1)
	k.must(ssa, "apply", "--server-side", "--force-conflicts", "-f", "-")
	if got := k.must("", "get", "ct", "c1", "-o", "jsonpath={.spec.image} {.spec.replicas}"); got != "nginx 4" {
		t.Errorf("after server-side apply, spec.image spec.replicas = %q, want \"nginx 4\"", got)
	}

	t.Run("watch", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "--kubeconfig", s.Kubeconfig, "get", "crontab", "c1", "--watch", "-o", "jsonpath={.spec.image}{\"\\n\"}")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cancel(); cmd.Wait() }()
		lines := bufio.NewScanner(stdout)
		if !lines.Scan() || lines.Text() != "nginx" {
			t.Fatalf("kubectl get -w first line = %q, want nginx", lines.Text())
		}
		k.must("", "patch", "crontab", "c1", "--type", "merge", "-p", `{"spec":{"image":"watched"}}`)
		for lines.Scan() {
			if lines.Text() == "watched" {
				return
			}
		}
		t.Errorf("kubectl get -w never showed the update to spec.image=watched")
	})

	out = k.must("", "explain", "crontab.spec")
	for _, want := range []string{"cronSpec", "When to run, in cron syntax.", "replicas", "<integer>"} {
		if !strings.Contains(out, want) {
			t.Errorf("kubectl explain crontab.spec:\n%s\nwant %q", out, want)
		}
	}
	if out := k.must("", "explain", "certificates.spec.issuerRef"); !strings.Contains(out, "name") || !strings.Contains(out, "-required-") {
		t.Errorf("kubectl explain certificates.spec.issuerRef:\n%s\nwant its required name", out)
	}

	k.must(`apiVersion: certs.example.io/v1
kind: Certificate
metadata: {name: web}
spec:
  secretName: web-tls
  dnsNames: [web.example.com]
  issuerRef: {name: ca, kind: ClusterIssuer}
  privateKey: {algorithm: ECDSA, size: 256}
`, "apply", "-f", "-")
	k.must(`{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Issued","message":"Certificate is up to date"}]}}`,
		"patch", "certificate", "web", "--subresource=status", "--type=merge", "--patch-file=/dev/stdin")
	k.must(`apiVersion: monitoring.example.com/v1
kind: ServiceMonitor
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  endpoints:
  - {port: http, targetPort: 8080, interval: 30s, relabelings: [{action: keep, regex: web}]}
`, "apply", "-f", "-")
	if out := k.must("", "get", "smon", "web", "-o", "jsonpath={.spec.endpoints[0].targetPort}"); out != "8080" {
		t.Errorf("ServiceMonitor targetPort = %q, want 8080", out)
	}

	t.Run("printer columns over conditions", func(t *testing.T) {
		out := k.must("", "get", "certs")
		header, _, _ := strings.Cut(out, "\n")
		if !strings.Contains(header, "READY") || !strings.Contains(header, "SECRET") {
			// TODO(printers): additionalPrinterColumns in core's Table.
			t.Skipf("kubectl get certs header %q lacks READY and SECRET: the server's Table does not have the printer columns yet", header)
		}
		if !strings.Contains(out, "web-tls") || !strings.Contains(out, "True") {
			t.Errorf("kubectl get certs:\n%s\nwant web with secret web-tls, Ready True", out)
		}
	})

	t.Run("invalid object refused naming the field", func(t *testing.T) {
		out, err := k.run(`apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: bad}
spec: {cronSpec: "* * * * */5", replicas: "many"}
`, "apply", "-f", "-")
		if err == nil {
			k.run("", "delete", "crontab", "bad")
			// TODO(schema): structural schema validation of writes is
			// the schema helper's seam (core/apiextensions/schema).
			t.Skipf("a CronTab with replicas: \"many\" was accepted: the server does not validate custom resources against their schema yet\n%s", out)
		}
		if !strings.Contains(out, "spec.replicas") {
			t.Errorf("invalid CronTab refused with:\n%s\nwant the message to name spec.replicas", out)
		}
	})

	t.Run("deleting the definition removes the resource", func(t *testing.T) {
		k.must("", "delete", "crd", "crontabs.stable.example.com", "--wait=false")
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err := k.run("", "get", "crontabs")
			if err != nil && strings.Contains(out, `the server doesn't have a resource type "crontabs"`) {
				break
			}
			if time.Now().After(deadline) {
				// TODO(controllers): the cleanup of a deleted
				// definition's objects and its finalizer belong to the
				// CRD finalizer controller.
				t.Skipf("30s after kubectl delete crd, kubectl get crontabs still answers (%v):\n%s", err, out)
			}
			time.Sleep(500 * time.Millisecond)
		}
		out := k.must("", "api-resources", "--api-group=stable.example.com")
		if strings.Contains(out, "crontabs") {
			t.Errorf("kubectl api-resources still lists crontabs after the definition was deleted:\n%s", out)
		}
	})
}
