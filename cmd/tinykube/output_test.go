package main

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// memServer serves an API over a memory store on loopback, without etcd or
// controllers: enough for the CLI's output formats.
func memServer(t *testing.T) string {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Now()}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(httpapi.Handler(srv.Handle, httpapi.Options{}))
	t.Cleanup(hs.Close)
	return hs.URL
}

func TestRunAndOutputFormats(t *testing.T) {
	url := memServer(t)
	for _, args := range [][]string{
		{"run", "web", "--image=nginx", "--port=80", "--env=MODE=fast"},
		{"run", "db", "--image=postgres", "--labels=app=db,tier=data"},
		{"run", "once", "--image=busybox", "--restart=Never", "--command", "--", "sh", "-c", "echo hi"},
	} {
		if code, out, errOut := tk(t, url, "", args...); code != 0 || !strings.HasPrefix(out, "pod/"+args[1]+" created") {
			t.Fatalf("%v = %d %q %q, want pod/%s created", args, code, out, errOut, args[1])
		}
	}
	for _, tc := range []struct {
		args     []string
		wantCode int
		want     string // stdout, or a part of stderr when wantCode != 0
	}{
		{[]string{"get", "pods", "-o", "jsonpath={.items[*].metadata.name}"}, 0, "db once web"},
		{[]string{"get", "pods", "-o", `jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}`}, 0, "db\nonce\nweb\n"},
		{[]string{"get", "pods", "-o", `jsonpath={.items[?(@.metadata.labels.app=="db")].spec.containers[0].image}`}, 0, "postgres"},
		{[]string{"get", "pods", "-o", `jsonpath={.items[?(@.spec.containers[0].ports[0].containerPort==80)].metadata.name}`}, 0, "web"},
		{[]string{"get", "pod", "once", "-o", "jsonpath={.spec.restartPolicy} {.spec.containers[0].command}"}, 0, `Never ["sh","-c","echo hi"]`},
		{[]string{"get", "pod", "web", "-o", "jsonpath={.metadata.labels.run}={.spec.containers[0].env[0].value}{.spec.nothing}"}, 0, "web=fast"},
		{[]string{"get", "pods", "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image,PORT:{.spec.containers[0].ports[0].containerPort}"}, 0,
			"NAME   IMAGE      PORT\ndb     postgres   <none>\nonce   busybox    <none>\nweb    nginx      80\n"},
		{[]string{"get", "pods", "--no-headers", "-o", "custom-columns=N:metadata.name,L:.metadata.labels.tier"}, 0,
			"db     data\nonce   <none>\nweb    <none>\n"},
		{[]string{"get", "pods", "-o", "custom-columns=BAD"}, 1, "expected <header>:<json-path-expr>"},
		{[]string{"get", "pods", "-o", "jsonpath={.items[}"}, 1, "error parsing jsonpath"},
		{[]string{"get", "pods", "-o", "jsonpath"}, 1, "no template given"},
		{[]string{"get", "pods", "-o", "table"}, 1, "allowed formats are: custom-columns,json,jsonpath,name,wide,yaml"},
		{[]string{"run", "x"}, 1, `required flag(s) "image" not set`},
		{[]string{"run", "x", "--image=i", "--restart=Sometimes"}, 1, "invalid restart policy: Sometimes"},
		{[]string{"run", "x", "--image=i", "--port=http"}, 1, `invalid --port "http"`},
		{[]string{"run", "web", "--image=nginx"}, 1, `pods "web" already exists`},
		{[]string{"run", "z", "--image=i", "--dry-run=client"}, 0, "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    run: z\n  name: z\nspec:\n  containers:\n  - image: i\n    name: z\n    resources: {}\n  restartPolicy: Always\nstatus: {}\n"},
	} {
		code, out, errOut := tk(t, url, "", tc.args...)
		if tc.wantCode == 0 {
			if diff := cmp.Diff(tc.want, out); code != 0 || diff != "" {
				t.Errorf("%q = %d (stderr %q), stdout (-want +got):\n%s", tc.args, code, errOut, diff)
			}
		} else if code != tc.wantCode || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q = %d, stderr %q; want %d and a message containing %q", tc.args, code, errOut, tc.wantCode, tc.want)
		}
	}
	// Nothing was created by the refused runs or the client dry run.
	if _, out, _ := tk(t, url, "", "get", "pods", "-o", "name"); out != "pod/db\npod/once\npod/web\n" {
		t.Errorf("pods after the refused runs = %q, want only db, once and web", out)
	}
}

// TestGetTableComesFromServer checks that get prints the server's Table:
// the wide columns arrive with priority 1 and are shown only with -o wide,
// and several kinds are prefixed with their kind.
func TestGetTableComesFromServer(t *testing.T) {
	url := memServer(t)
	tk(t, url, "", "run", "web", "--image=nginx")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"get", "pods"}, "NAME   READY   STATUS    RESTARTS   AGE\nweb    0/1     Pending   0          0s\n"},
		{[]string{"get", "pods", "-o", "wide", "--no-headers"}, "web   0/1   Pending   0     0s    <none>   <none>   <none>   <none>\n"},
		{[]string{"get", "po,ns", "--no-headers"}, "pod/web   0/1   Pending   0     0s\n\nnamespace/default           Active   0s\nnamespace/kube-node-lease   Active   0s\nnamespace/kube-public       Active   0s\nnamespace/kube-system       Active   0s\n"},
		{[]string{"get", "po", "-A"}, "NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE\ndefault     web    0/1     Pending   0          0s\n"},
	} {
		code, out, errOut := tk(t, url, "", tc.args...)
		if diff := cmp.Diff(tc.want, out); code != 0 || diff != "" {
			t.Errorf("%q = %d (stderr %q), stdout (-want +got):\n%s", tc.args, code, errOut, diff)
		}
	}
}
