package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	deploy "github.com/tinykube/tinykube/core/controller/deployment"
)

// rolloutManifest is a Deployment whose simulated containers start and
// become ready after the given behaviour. The sim's ready=D delay counts
// only for a container with a readiness probe (without one, running is
// ready), so a never-ready Deployment needs probe set.
func rolloutManifest(name string, replicas int, behavior, extraSpec string, probe bool) string {
	container := `{name: web, image: "busybox:1.36", resources: {requests: {cpu: 100m}}}`
	if probe {
		container = `{name: web, image: "busybox:1.36", readinessProbe: {exec: {command: ["true"]}, periodSeconds: 1}}`
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  replicas: %[2]d
%[4]s  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata:
      labels: {app: %[1]s}
      annotations: {sim.tinykube.io/behavior: %[3]q}
    spec:
      containers: [%[5]s]
`, name, replicas, behavior, extraSpec, container)
}

// TestRolloutAgainstSimulatedNodes drives scale, set image and every
// rollout subcommand through a real server, its controllers and scheduler,
// and three simulated kubelets in real time.
func TestRolloutAgainstSimulatedNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	s, cl := startSimCluster(t, 3)
	ctx := context.Background()
	getDeploy := func(name string) *api.Deployment {
		t.Helper()
		d, err := client.For[*api.Deployment](cl).Get(ctx, "default", name)
		if err != nil {
			t.Fatalf("get deployment %s: %v", name, err)
		}
		return d
	}
	// must runs the CLI, wants exit 0 and stdout containing want.
	must := func(want string, args ...string) string {
		t.Helper()
		code, out, errOut := tk(t, s.URL, "", args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("tinykube %s = %d, stdout %q, stderr %q; want 0 and %q", strings.Join(args, " "), code, out, errOut, want)
		}
		return out
	}
	// fails runs the CLI, wants a non-zero exit and stderr containing want.
	fails := func(want string, args ...string) {
		t.Helper()
		code, out, errOut := tk(t, s.URL, "", args...)
		if code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("tinykube %s = %d, stdout %q, stderr %q; want failure and %q", strings.Join(args, " "), code, out, errOut, want)
		}
	}

	// The stuck Deployment goes first: its 2s deadline runs out while the
	// rest of the test works on web.
	stuck := rolloutManifest("stuck", 1, "start=200ms,ready=1h", "  progressDeadlineSeconds: 2\n", true)
	slow := rolloutManifest("slow", 1, "start=200ms,ready=1h", "", true)
	web := rolloutManifest("web", 3, "start=200ms,ready=200ms", "", false)
	for _, m := range []string{stuck, slow, web} {
		if code, _, e := tk(t, s.URL, m, "apply", "-f", "-"); code != 0 {
			t.Fatalf("apply: %s", e)
		}
	}

	must(`deployment "web" successfully rolled out`, "rollout", "status", "deploy/web", "--timeout", "15s")

	// A new image is revision 2.
	must("deployment.apps/web image updated", "set", "image", "deploy/web", "web=busybox:1.37")
	fails(`unable to find container named "nope"`, "set", "image", "deploy/web", "nope=x")
	fails("its containers: web", "set", "image", "deploy/web", "nope=x")
	must(`deployment "web" successfully rolled out`, "rollout", "status", "deploy/web", "--timeout", "15s")
	out := must("REVISION  CHANGE-CAUSE", "rollout", "history", "deploy/web")
	for _, want := range []string{"\n1         <none>\n", "\n2         <none>\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("rollout history = %q, want a row %q", out, strings.TrimSpace(want))
		}
	}
	must("Image:\tbusybox:1.37", "rollout", "history", "deploy/web", "--revision", "2")
	fails("unable to find the specified revision", "rollout", "history", "deploy/web", "--revision", "9")

	// Undo brings revision 1's template back as revision 3.
	must("deployment.apps/web rolled back", "rollout", "undo", "deploy/web")
	must(`deployment "web" successfully rolled out`, "rollout", "status", "deploy/web", "--timeout", "15s")
	d := getDeploy("web")
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "busybox:1.36" {
		t.Errorf("after undo the template's image = %q, want busybox:1.36", img)
	}
	if _, has := d.Spec.Template.Labels[deploy.PodTemplateHashLabel]; has {
		t.Errorf("after undo the template kept the %s label: %v", deploy.PodTemplateHashLabel, d.Spec.Template.Labels)
	}
	if rev := deploy.Revision(d); rev != 3 {
		t.Errorf("after undo the deployment's revision = %d, want 3", rev)
	}
	must("deployment.apps/web skipped rollback (current template already matches revision 3)", "rollout", "undo", "deploy/web", "--to-revision", "3")
	fails("unable to find specified revision 7 in history", "rollout", "undo", "deploy/web", "--to-revision", "7")

	// Scale to 5; a stale precondition is refused.
	fails("Expected replicas to be 4, was 3", "scale", "deploy/web", "--replicas", "5", "--current-replicas", "4")
	must("deployment.apps/web scaled", "scale", "deploy", "web", "--replicas", "5", "--current-replicas", "3")
	must(`deployment "web" successfully rolled out`, "rollout", "status", "deploy/web", "--timeout", "15s")
	if d = getDeploy("web"); d.Status.AvailableReplicas != 5 {
		t.Errorf("after scale --replicas 5: %d available, want 5", d.Status.AvailableReplicas)
	}

	// A StatefulSet scales too; a DaemonSet cannot.
	sts := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: busybox}]}
`
	if code, _, errOut := tk(t, s.URL, sts, "apply", "-f", "-"); code != 0 {
		t.Fatalf("apply statefulset: %s", errOut)
	}
	must("statefulset.apps/db scaled", "scale", "sts/db", "--replicas", "2", "--current-replicas", "1")
	if st, err := client.For[*api.StatefulSet](cl).Get(ctx, "default", "db"); err != nil || *st.Spec.Replicas != 2 {
		t.Errorf("after scale sts/db --replicas 2: %v, %v", st, err)
	}
	fails("daemonsets cannot be scaled", "scale", "ds/nope", "--replicas", "2")

	// Pause and resume, each once.
	must("deployment.apps/web paused", "rollout", "pause", "deploy/web")
	fails(`error: deployments.apps "web" is already paused`, "rollout", "pause", "deploy/web")
	fails("you cannot rollback a paused deployment", "rollout", "undo", "deploy/web")
	must("deployment.apps/web resumed", "rollout", "resume", "deploy/web")
	fails(`error: deployments.apps "web" is already resumed`, "rollout", "resume", "deploy/web")

	// Restart stamps the template, which is a new rollout.
	must("deployment.apps/web restarted", "rollout", "restart", "deploy/web")
	if at := getDeploy("web").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]; at == "" {
		t.Errorf("after restart the template has no restartedAt annotation")
	} else if _, err := time.Parse(time.RFC3339, at); err != nil {
		t.Errorf("restartedAt = %q, not RFC 3339: %v", at, err)
	}

	// The stuck Deployment never becomes available and has no history.
	fails(`no rollout history found for deployment "stuck"`, "rollout", "undo", "deploy/stuck")
	fails(`error: deployment "stuck" exceeded its progress deadline`, "rollout", "status", "deploy/stuck", "--timeout", "15s")
	fails("error: timed out waiting for the condition", "rollout", "status", "deploy/slow", "--timeout", "1s")
	must(`Waiting for deployment "slow" rollout to finish: 0 of 1 updated replicas are available...`, "rollout", "status", "deploy/slow", "-w=false")
	fails("no rollout for pods", "rollout", "status", "pod/x")
}

// TestDeploymentStatus checks each of kubectl's rollout status messages
// against the status that produces it.
func TestDeploymentStatus(t *testing.T) {
	three := int32(3)
	mk := func(gen, observed int64, replicas, updated, available int32, reason string) *api.Deployment {
		d := &api.Deployment{}
		d.Name, d.Generation, d.Spec.Replicas = "web", gen, &three
		d.Status = api.DeploymentStatus{ObservedGeneration: observed, Replicas: replicas, UpdatedReplicas: updated, AvailableReplicas: available}
		if reason != "" {
			d.Status.Conditions = []api.WorkloadCondition{{Type: deploy.Progressing, Status: api.ConditionFalse, Reason: reason}}
		}
		return d
	}
	for _, tc := range []struct {
		d       *api.Deployment
		msg     string
		done    bool
		wantErr string
	}{
		{mk(2, 1, 3, 3, 3, ""), "Waiting for deployment spec update to be observed...\n", false, ""},
		{mk(2, 2, 4, 1, 3, ""), `Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...` + "\n", false, ""},
		{mk(2, 2, 4, 3, 3, ""), `Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...` + "\n", false, ""},
		{mk(2, 2, 3, 3, 2, ""), `Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...` + "\n", false, ""},
		{mk(2, 2, 3, 3, 3, ""), `deployment "web" successfully rolled out` + "\n", true, ""},
		{mk(2, 2, 3, 1, 1, deploy.ReasonProgressDeadlineExceeded), "", false, `deployment "web" exceeded its progress deadline`},
		// A deadline judged for an older generation does not count.
		{mk(3, 2, 3, 1, 1, deploy.ReasonProgressDeadlineExceeded), "Waiting for deployment spec update to be observed...\n", false, ""},
	} {
		msg, done, err := deploymentStatus(tc.d)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if msg != tc.msg || done != tc.done || gotErr != tc.wantErr {
			t.Errorf("deploymentStatus(%+v) = %q, %v, %q; want %q, %v, %q", tc.d.Status, msg, done, gotErr, tc.msg, tc.done, tc.wantErr)
		}
	}
}
