package httpapi

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"

	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/clock"
	"github.com/tinykube/tinykube/core/store"
)

// mediaLog records the Content-Type of every request and answer.
type mediaLog struct {
	mu   sync.Mutex
	sent map[string]int // request Content-Type → count
	got  map[string]int // answer Content-Type → count
}

func (l *mediaLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		l.mu.Lock()
		defer l.mu.Unlock()
		if ct := r.Header.Get("Content-Type"); ct != "" {
			l.sent[baseType(ct)]++
		}
		l.got[baseType(w.Header().Get("Content-Type"))]++
	})
}

// serveClientGo starts an API server on a loopback port and returns the
// default client-go clientset for it: no content type configured, so
// protobuf for every built-in kind, as kubectl and controllers use it.
func serveClientGo(t *testing.T) (*kubernetes.Clientset, *mediaLog) {
	t.Helper()
	srv := apiserver.New(apiserver.Config{Store: store.NewMemory(), Clock: &clock.Fixed{T: time.Unix(1e9, 0)}, Rand: rand.New(rand.NewPCG(1, 1)), Version: "test"})
	if err := srv.Bootstrap(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := &mediaLog{sent: map[string]int{}, got: map[string]int{}}
	hs := httptest.NewServer(log.wrap(Handler(srv.Handle, Options{})))
	t.Cleanup(hs.Close)
	cs, err := kubernetes.NewForConfig(&restclient.Config{Host: hs.URL})
	if err != nil {
		t.Fatal(err)
	}
	return cs, log
}

// typedClient is what client-go's typed clients for one kind have in
// common (PodInterface, ConfigMapInterface, DeploymentInterface …).
type typedClient[T any, L any] interface {
	Create(ctx context.Context, obj T, opts metav1.CreateOptions) (T, error)
	Update(ctx context.Context, obj T, opts metav1.UpdateOptions) (T, error)
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	List(ctx context.Context, opts metav1.ListOptions) (L, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
	Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, subresources ...string) (T, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

type object interface {
	metav1.Object
	runtime.Object
}

// crudSteps runs the basic steps a controller takes on one kind, with the
// default (protobuf) clientset: create, AlreadyExists, get, update, a
// Conflict on a stale update, merge patch, list, then a watch from the
// list's resourceVersion that sees a create and a delete in order.
func crudSteps[T object, L metav1.ListInterface](t *testing.T, c typedClient[T, L], newObj func(name string) T) {
	ctx := context.Background()
	created, err := c.Create(ctx, newObj("a"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("Create a: %v", err)
	}
	if created.GetName() != "a" || created.GetResourceVersion() == "" || created.GetUID() == "" {
		t.Errorf("Create a returned name %q, resourceVersion %q, uid %q; want a, and both set", created.GetName(), created.GetResourceVersion(), created.GetUID())
	}
	if _, err := c.Create(ctx, newObj("a"), metav1.CreateOptions{}); !apierrors.IsAlreadyExists(err) {
		t.Errorf("second Create a: err = %v, want AlreadyExists", err)
	}
	got, err := c.Get(ctx, "a", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("Get a: %v", err)
	}
	if got.GetResourceVersion() != created.GetResourceVersion() {
		t.Errorf("Get a: resourceVersion %s, want %s as created", got.GetResourceVersion(), created.GetResourceVersion())
	}
	got.SetLabels(map[string]string{"step": "update"})
	updated, err := c.Update(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatalf("Update a: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"step": "update"}, updated.GetLabels()); diff != "" {
		t.Errorf("Update a: labels (-want +got):\n%s", diff)
	}
	created.SetLabels(map[string]string{"step": "stale"})
	if _, err := c.Update(ctx, created, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("Update a at a stale resourceVersion: err = %v, want Conflict", err)
	}
	patched, err := c.Patch(ctx, "a", types.MergePatchType, []byte(`{"metadata":{"labels":{"patched":"yes"}}}`), metav1.PatchOptions{})
	if err != nil {
		t.Fatalf("merge Patch a: %v", err)
	}
	if diff := cmp.Diff(map[string]string{"step": "update", "patched": "yes"}, patched.GetLabels()); diff != "" {
		t.Errorf("merge Patch a: labels (-want +got):\n%s", diff)
	}

	list, err := c.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	w, err := c.Watch(ctx, metav1.ListOptions{ResourceVersion: list.GetResourceVersion()})
	if err != nil {
		t.Fatalf("Watch from %s: %v", list.GetResourceVersion(), err)
	}
	defer w.Stop()
	if _, err := c.Create(ctx, newObj("b"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("Create b: %v", err)
	}
	if err := c.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("Delete a: %v", err)
	}
	var events []string
	timeout := time.After(10 * time.Second)
	for len(events) == 0 || events[len(events)-1] != "DELETED a" {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				t.Fatalf("watch ended after %q", events)
			}
			o, isObj := ev.Object.(T)
			if !isObj {
				t.Fatalf("watch event %s carries %T, want %T", ev.Type, ev.Object, o)
			}
			if ev.Type == watch.Modified {
				continue // graceful deletion may mark a before it goes
			}
			events = append(events, string(ev.Type)+" "+o.GetName())
		case <-timeout:
			t.Fatalf("watch: got %q, then nothing for 10s; want ADDED b, DELETED a", events)
		}
	}
	if diff := cmp.Diff([]string{"ADDED b", "DELETED a"}, events); diff != "" {
		t.Errorf("watch events (-want +got):\n%s", diff)
	}
	if _, err := c.Get(ctx, "a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Get a after Delete: err = %v, want NotFound", err)
	}
}

func TestClientGoDefaultClientset(t *testing.T) {
	cs, log := serveClientGo(t)
	labels := map[string]string{"app": "web"}
	podSpec := corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}}
	t.Run("pods", func(t *testing.T) {
		crudSteps(t, cs.CoreV1().Pods("default"), func(name string) *corev1.Pod {
			return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: podSpec}
		})
	})
	t.Run("configmaps", func(t *testing.T) {
		crudSteps(t, cs.CoreV1().ConfigMaps("default"), func(name string) *corev1.ConfigMap {
			return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}
		})
	})
	t.Run("deployments", func(t *testing.T) {
		crudSteps(t, cs.AppsV1().Deployments("default"), func(name string) *appsv1.Deployment {
			return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec},
			}}
		})
	})
	log.mu.Lock()
	defer log.mu.Unlock()
	if log.sent[ContentProtobuf] == 0 || log.got[ContentProtobuf] == 0 {
		t.Errorf("requests by Content-Type %v, answers %v: want protobuf both ways", log.sent, log.got)
	}
}
