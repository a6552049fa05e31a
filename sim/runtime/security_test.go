package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/sim/runtime"
)

func ptr[T any](v T) *T { return &v }

// failedEvents counts the Failed events of the default namespace by
// message (an event repeated is one object with a count).
func (w *world) failedEvents() map[string]int32 {
	w.t.Helper()
	l, err := client.For[*api.Event](w.c).List(context.Background(), "default", client.ListOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]int32{}
	for _, e := range l.Items {
		if e.Reason == "Failed" {
			out[e.Message] += max(e.Count, 1)
		}
	}
	return out
}

// A pod with runAsNonRoot whose image runs as root waits with
// CreateContainerConfigError and Kubernetes' message; the kubelet asks
// again after its back-off, and once the image's user is non-root (here
// the script changes) the container runs.
func TestRunAsNonRootRefusedThenRetriedWithBackOff(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "", func(p *api.Pod) {
		p.Spec.SecurityContext = &api.PodSecurityContext{RunAsNonRoot: ptr(true)}
	})
	w.run(2 * time.Second)
	uid := w.pod("web").UID
	want := `container has runAsNonRoot and image will run as root (pod: "web_default(` + uid + `)", container: app)`
	st := w.app("web").State
	if st.Waiting == nil || st.Waiting.Reason != "CreateContainerConfigError" || st.Waiting.Message != want {
		t.Fatalf("at 2s: state %+v, want waiting CreateContainerConfigError %q", st, want)
	}
	if n := w.failedEvents()["Error: "+want]; n != 1 {
		t.Errorf("at 2s: %d Failed events %q, want 1 (events %v)", n, "Error: "+want, w.failedEvents())
	}
	if ids := w.containerIDs(); len(ids) != 0 {
		t.Errorf("at 2s: the runtime holds containers %v, want none", ids)
	}

	// The image's user becomes non-root (the script says so): nothing
	// happens before the back-off (10s) ends, then the container runs.
	p := w.pod("web")
	p.Annotations = map[string]string{runtime.AnnotationBehavior: "image-user=1000"}
	if _, err := client.For[*api.Pod](w.c).Update(context.Background(), p, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	w.run(3 * time.Second)
	if st := w.app("web").State; st.Waiting == nil || st.Waiting.Reason != "CreateContainerConfigError" {
		t.Fatalf("at 5s, within the back-off: state %+v, want still waiting CreateContainerConfigError", st)
	}
	w.run(8 * time.Second)
	if st := w.app("web").State; st.Running == nil {
		t.Fatalf("at 13s, after the back-off: state %+v, want running", st)
	}
}

// A pod cannot change its securityContext; the fix is a new pod, which
// runs at once, and the runtime sees its resolved settings.
func TestFixedPodRunsWithItsSecurity(t *testing.T) {
	w := newWorld(t)
	w.start()
	w.createPod("web", "image-user=nginx", func(p *api.Pod) {
		p.Spec.SecurityContext = &api.PodSecurityContext{RunAsNonRoot: ptr(true)}
	})
	w.run(2 * time.Second)
	uid := w.pod("web").UID
	want := `container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "web_default(` + uid + `)", container: app)`
	if st := w.app("web").State; st.Waiting == nil || st.Waiting.Reason != "CreateContainerConfigError" || st.Waiting.Message != want {
		t.Fatalf("state %+v, want waiting CreateContainerConfigError %q", st, want)
	}

	w.createPod("web-fixed", "image-user=nginx", func(p *api.Pod) {
		p.Spec.SecurityContext = &api.PodSecurityContext{RunAsNonRoot: ptr(true), RunAsUser: ptr(int64(101)), FSGroup: ptr(int64(2000))}
		p.Spec.Containers[0].SecurityContext = &api.SecurityContext{ReadOnlyRootFilesystem: ptr(true),
			Capabilities: &api.Capabilities{Drop: []string{"ALL"}}, SeccompProfile: &api.SeccompProfile{Type: api.SeccompProfileRuntimeDefault}}
	})
	w.run(2 * time.Second)
	if st := w.app("web-fixed").State; st.Running == nil {
		t.Fatalf("fixed pod: state %+v, want running", st)
	}
	running := w.rt.Running()
	if len(running) != 1 || !strings.HasPrefix(running[0].Labels[kubelet.LabelPodName], "web-fixed") {
		t.Fatalf("running containers = %+v, want the fixed pod's only", running)
	}
	got, _ := w.rt.Security(running[0].ID)
	wantSec := kubelet.ContainerSecurity{RunAsUser: ptr(int64(101)), RunAsNonRoot: true, SupplementalGroups: []int64{2000}, FSGroup: ptr(int64(2000)),
		ReadOnlyRootFilesystem: true, CapDrop: []string{"ALL"}, Seccomp: "RuntimeDefault"}
	if diff := cmp.Diff(wantSec, got); diff != "" {
		t.Errorf("the simulated container's security (-want +got):\n%s", diff)
	}
}
