package controlplane

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	gocmp "github.com/google/go-cmp/cmp"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// An unmodified controller-runtime manager runs against tinykube: it wins
// its Lease, its informers (protobuf lists and watches) sync, and its
// reconciler's writes — create, merge patch, strategic merge patch,
// update — land; tinykube's garbage collector removes what it owned.
func TestControllerRuntimeManager(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	srv := start(t, serverConfig(t, "cr", filepath.Join(t.TempDir(), "cr")))
	tw := &testWriter{t: t}
	defer tw.done.Store(true)
	log.SetLogger(funcr.New(func(prefix, args string) { tw.Write([]byte(prefix + " " + args)) }, funcr.Options{}))

	// The admin kubeconfig the server wrote, read by client-go itself:
	// https, the CA, the admin's client certificate.
	cfg, err := clientcmd.BuildConfigFromFlags("", srv.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	// Every warning tinykube sends (an unknown field, say) fails the test:
	// controller-runtime's requests are all ones Kubernetes takes silently.
	warnings := &warningRecorder{}
	cfg.WarningHandlerWithContext = warnings
	// The manager's requests' methods and content types, to check the
	// reconciler wrote in each way it means to (the test's own client,
	// on ownCfg, is not counted).
	ownCfg := rest.CopyConfig(cfg)
	sent := &requestRecorder{}
	cfg.Wrap(sent.wrap)
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	const ns, leaseID = "default", "ctrlrt-test.tinykube.io"
	leaseDuration, renew, retry := 3*time.Second, 2*time.Second, 200*time.Millisecond
	mgr, err := ctrl.NewManager(cfg, manager.Options{
		Scheme:                     scheme,
		Metrics:                    server.Options{BindAddress: "0"},
		HealthProbeBindAddress:     "0",
		LeaderElection:             true,
		LeaderElectionID:           leaseID,
		LeaderElectionNamespace:    ns,
		LeaderElectionResourceLock: resourcelock.LeasesResourceLock,
		LeaseDuration:              &leaseDuration, RenewDeadline: &renew, RetryPeriod: &retry,
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		t.Fatalf("building the manager: %v", err)
	}

	skipNameValidation := true
	var reconciles atomic.Int64
	r := &mirror{c: mgr.GetClient(), scheme: scheme, n: &reconciles}
	if err := ctrl.NewControllerManagedBy(mgr).
		For(&corev1.ConfigMap{}, builderWithLabel()).
		Owns(&corev1.Secret{}).
		// -count=N registers it again in this process's metrics.
		WithOptions(controller.Options{SkipNameValidation: &skipNameValidation}).
		Complete(r); err != nil {
		t.Fatalf("registering the reconciler: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("manager stopped with %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("manager did not stop")
		}
	}()

	select {
	case <-mgr.Elected():
	case err := <-done:
		t.Fatalf("manager stopped before being elected: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatalf("manager not elected within 15s")
	}
	// A client of our own reads through the API (not the manager's cache).
	c, err := client.New(ownCfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	var lease coordinationv1.Lease
	if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: leaseID}, &lease); err != nil {
		t.Fatalf("reading the Lease: %v", err)
	}
	if lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Fatalf("Lease %s has no holder: %+v", leaseID, lease.Spec)
	}
	syncCtx, syncCancel := context.WithTimeout(ctx, 15*time.Second)
	defer syncCancel()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		t.Fatalf("informers did not sync")
	}

	source := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "src", Namespace: ns, Labels: map[string]string{mirrorLabel: "yes"}},
		Data: map[string]string{"a": "1"}}
	if err := c.Create(ctx, source); err != nil {
		t.Fatalf("creating the source: %v", err)
	}
	key := types.NamespacedName{Namespace: ns, Name: "src-mirror"}
	wantMirror := func(data map[string]string, gen string) {
		t.Helper()
		var got corev1.Secret
		var last error
		waitFor(t, fmt.Sprintf("the Secret to mirror %v", data), 15*time.Second, func() bool {
			if last = c.Get(ctx, key, &got); last != nil {
				return false
			}
			last = fmt.Errorf("data %v, annotations %v", got.StringData, got.Annotations)
			return gocmp.Diff(data, bytesToStrings(got.Data)) == "" && got.Annotations[mirrorGeneration] == gen &&
				got.Annotations[mirrorKeys] == strings.Join(slices.Sorted(maps.Keys(data)), ".") &&
				got.Labels[mirrorLabel] == "mirror" && len(got.OwnerReferences) == 1 && got.OwnerReferences[0].UID == source.UID
		}, &last)
	}
	wantMirror(map[string]string{"a": "1"}, "1")

	// Update the source: the reconciler merge-patches the data and
	// strategic-merge-patches the annotation.
	patch := client.MergeFrom(source.DeepCopy())
	source.Data = map[string]string{"a": "2", "b": "3"}
	if err := c.Patch(ctx, source, patch); err != nil {
		t.Fatalf("patching the source: %v", err)
	}
	wantMirror(map[string]string{"a": "2", "b": "3"}, "2")

	// Someone else edits the Secret: the Owns watch brings it back.
	var s corev1.Secret
	if err := c.Get(ctx, key, &s); err != nil {
		t.Fatal(err)
	}
	s.Data["a"] = []byte("tampered")
	if err := c.Update(ctx, s.DeepCopy()); err != nil {
		t.Fatalf("updating the Secret: %v", err)
	}
	wantMirror(map[string]string{"a": "2", "b": "3"}, "2")

	// Delete the source: tinykube's garbage collector deletes the Secret
	// it owned (background propagation).
	if err := c.Delete(ctx, source); err != nil {
		t.Fatalf("deleting the source: %v", err)
	}
	var last error
	waitFor(t, "the garbage collector to delete the Secret", 15*time.Second, func() bool {
		last = c.Get(ctx, key, &corev1.Secret{})
		return apierrors.IsNotFound(last)
	}, &last)
	// The informers list by watching (sendInitialEvents, bookmarks).
	for _, want := range []string{"GET streaming list", "POST application/vnd.kubernetes.protobuf", "PUT application/vnd.kubernetes.protobuf",
		"PATCH application/merge-patch+json", "PATCH application/strategic-merge-patch+json", "PATCH application/apply-patch+yaml"} {
		if !sent.saw(want) {
			t.Errorf("no %s request was sent; sent: %v", want, sent.all())
		}
	}
	if got := warnings.all(); len(got) > 0 {
		t.Errorf("tinykube warned controller-runtime: %q", got)
	}
	if reconciles.Load() == 0 {
		t.Fatalf("the reconciler never ran")
	}
}

const (
	mirrorLabel      = "tinykube.io/mirror"
	mirrorGeneration = "tinykube.io/mirror-generation"
	mirrorKeys       = "tinykube.io/mirror-keys"
)

func builderWithLabel() builder.Predicates {
	return builder.WithPredicates(predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetLabels()[mirrorLabel] == "yes" }))
}

// mirror keeps a Secret NAME-mirror with the data of every ConfigMap
// labelled tinykube.io/mirror=yes, owned by it. It writes in every way
// controller-runtime offers: Create, Patch with a merge patch
// (client.MergeFrom), Patch with a strategic merge patch
// (client.StrategicMergeFrom), Update, and server-side Apply (the
// annotation listing the mirrored keys).
type mirror struct {
	c      client.Client
	scheme *runtime.Scheme
	n      *atomic.Int64
}

func (m *mirror) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	m.n.Add(1)
	var src corev1.ConfigMap
	if err := m.c.Get(ctx, req.NamespacedName, &src); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // deleted: the GC removes the Secret
	}
	want := map[string][]byte{}
	for k, v := range src.Data {
		want[k] = []byte(v)
	}
	// The source's "generation": how many distinct data sets it had is
	// not knowable, so count keys — enough for the test to tell steps.
	gen := fmt.Sprint(len(src.Data))
	key := types.NamespacedName{Namespace: src.Namespace, Name: src.Name + "-mirror"}
	var s corev1.Secret
	err := m.c.Get(ctx, key, &s)
	if apierrors.IsNotFound(err) {
		s = corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: key.Name, Namespace: key.Namespace,
			Labels: map[string]string{mirrorLabel: "mirror"}, Annotations: map[string]string{mirrorGeneration: gen}}, Data: want}
		if err := controllerutil.SetControllerReference(&src, &s, m.scheme); err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, m.c.Create(ctx, &s)
	}
	if err != nil {
		return ctrl.Result{}, err
	}
	if s.Annotations[mirrorGeneration] != gen {
		p := client.StrategicMergeFrom(s.DeepCopy())
		if s.Annotations == nil {
			s.Annotations = map[string]string{}
		}
		s.Annotations[mirrorGeneration] = gen
		if err := m.c.Patch(ctx, &s, p); err != nil {
			return ctrl.Result{}, fmt.Errorf("strategic merge patch: %w", err)
		}
	}
	if gocmp.Diff(want, s.Data) != "" {
		if len(s.Data) == len(want) {
			// Same keys (a tampered value): a plain Update.
			s.Data = want
			return ctrl.Result{}, m.c.Update(ctx, &s)
		}
		p := client.MergeFrom(s.DeepCopy())
		s.Data = want
		if err := m.c.Patch(ctx, &s, p); err != nil {
			return ctrl.Result{}, fmt.Errorf("merge patch: %w", err)
		}
	}
	keys := strings.Join(slices.Sorted(maps.Keys(src.Data)), ".")
	ac := corev1ac.Secret(key.Name, key.Namespace).WithAnnotations(map[string]string{mirrorKeys: keys})
	if err := m.c.Apply(ctx, ac, client.FieldOwner("mirror"), client.ForceOwnership); err != nil {
		return ctrl.Result{}, fmt.Errorf("apply: %w", err)
	}
	return ctrl.Result{}, nil
}

func bytesToStrings(m map[string][]byte) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// requestRecorder counts the requests sent, by method and content type
// (TINYKUBE_TEST_TRACE=1 prints every request).
type requestRecorder struct {
	mu   sync.Mutex
	seen map[string]int
}

func (r *requestRecorder) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if os.Getenv("TINYKUBE_TEST_TRACE") != "" {
			fmt.Println("TRACE", req.Method, req.URL, req.Header.Get("Accept"), req.Header.Get("Content-Type"))
		}
		what := req.Method + " " + req.Header.Get("Content-Type")
		if req.URL.Query().Get("sendInitialEvents") == "true" {
			what = "GET streaming list"
		}
		r.mu.Lock()
		if r.seen == nil {
			r.seen = map[string]int{}
		}
		r.seen[what]++
		r.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

func (r *requestRecorder) saw(what string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[what] > 0
}

func (r *requestRecorder) all() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.seen)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// warningRecorder keeps the Warning headers the server sent.
type warningRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = append(w.seen, text)
}

func (w *warningRecorder) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.seen)
}

// testWriter logs to the test until it ends (the manager's goroutines may
// log a little later).
type testWriter struct {
	t    *testing.T
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(string(p))
	}
	return len(p), nil
}
