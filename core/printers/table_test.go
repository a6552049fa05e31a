package printers

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

func resource(t *testing.T, name string) *api.Resource {
	t.Helper()
	r, err := api.LookupResource(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTables(t *testing.T) {
	for _, tc := range []struct {
		golden   string
		resource string // as typed on the command line; "" for replicationcontrollers
		objs     []api.Object
		opts     PrintOptions
	}{
		{"pods", "pods", pods(), PrintOptions{}},
		{"pods-wide", "pods", pods(), PrintOptions{Wide: true}},
		{"pods-all-namespaces", "pods", pods(), PrintOptions{WithNamespace: true}},
		{"pods-show-kind-no-headers", "pods", pods()[:2], PrintOptions{ShowKind: true, NoHeaders: true}},
		{"nodes", "nodes", nodes(), PrintOptions{}},
		{"nodes-wide", "nodes", nodes(), PrintOptions{Wide: true}},
		{"namespaces", "ns", namespaces(), PrintOptions{}},
		{"replicasets", "rs", replicaSets(), PrintOptions{}},
		{"replicasets-wide", "rs", replicaSets(), PrintOptions{Wide: true}},
		{"deployments", "deploy", deployments(), PrintOptions{WithNamespace: true}},
		{"deployments-wide-show-kind", "deploy", deployments(), PrintOptions{Wide: true, ShowKind: true}},
		{"services", "svc", services(), PrintOptions{}},
		{"services-wide", "svc", services(), PrintOptions{Wide: true}},
		{"endpoints", "ep", endpoints(), PrintOptions{}},
		{"events", "events", events(), PrintOptions{}},
		{"events-wide", "events", events(), PrintOptions{Wide: true}},
		{"configmaps", "cm", configMaps(), PrintOptions{}},
		{"secrets", "secrets", secrets(), PrintOptions{}},
		{"serviceaccounts", "sa", serviceAccounts(), PrintOptions{}},
		{"leases", "leases", leases(), PrintOptions{WithNamespace: true}},
		{"roles", "roles", roles(), PrintOptions{}},
		{"clusterrolebindings-wide", "clusterrolebindings", clusterRoleBindings(), PrintOptions{Wide: true}},
		{"rolebindings", "rolebindings", roleBindings(), PrintOptions{}},
		{"statefulsets", "sts", statefulSets(), PrintOptions{}},
		{"statefulsets-wide", "sts", statefulSets(), PrintOptions{Wide: true}},
		{"daemonsets", "ds", daemonSets(), PrintOptions{WithNamespace: true}},
		{"daemonsets-wide", "ds", daemonSets(), PrintOptions{Wide: true}},
		{"jobs", "jobs", jobs(), PrintOptions{}},
		{"jobs-wide", "jobs", jobs(), PrintOptions{Wide: true}},
		{"cronjobs", "cj", cronJobs(), PrintOptions{}},
		{"persistentvolumeclaims", "pvc", claims(), PrintOptions{}},
		{"poddisruptionbudgets", "pdb", budgets(), PrintOptions{}},
		{"fallback-replicationcontrollers", "", replicationControllers(), PrintOptions{ShowKind: true}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			r := replicationControllerResource
			if tc.resource != "" {
				r = resource(t, tc.resource)
			}
			var b strings.Builder
			if err := TableFor(r, tc.objs, now).Print(&b, tc.opts); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "table-"+tc.golden, b.String())
		})
	}
}

// TestPodStatus pins the STATUS, READY and RESTARTS cells the goldens show,
// so a reader sees each rule next to its case.
func TestPodStatus(t *testing.T) {
	want := map[string][3]string{
		"web-7d4b9-abcde": {"1/1", "Running", "0"},
		"crash-1":         {"0/1", "CrashLoopBackOff", "3 (45s ago)"},
		"web-7d4b9-xyz12": {"1/1", "Terminating", "0"},
		"init-1":          {"0/1", "Init:0/1", "0"},
		"typo":            {"0/1", "ErrImagePull", "0"},
		"fresh":           {"0/1", "ContainerCreating", "0"},
		"unschedulable":   {"0/1", "Pending", "0"},
		"job-1-x7k2p":     {"0/1", "Completed", "0"},
		"hog":             {"1/2", "OOMKilled", "12 (3m ago)"},
	}
	for _, obj := range pods() {
		p := obj.(*api.Pod)
		s := summarizePod(p, now)
		got := [3]string{strings.Join([]string{itoa(int32(s.ready)), itoa(int32(s.total))}, "/"), s.status, s.restarts}
		if got != want[p.Name] {
			t.Errorf("summarizePod(%s) = %q, want %q", p.Name, got, want[p.Name])
		}
	}
}

func TestPodStatusInitFailureAndCompletedWithRunning(t *testing.T) {
	p := &api.Pod{Spec: api.PodSpec{InitContainers: containers("a", "b"), Containers: containers("main", "side")}}
	p.Status.InitContainerStatuses = []api.ContainerStatus{
		{Name: "a", State: api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: 0}}},
		{Name: "b", RestartCount: 2, State: api.ContainerState{Terminated: &api.ContainerStateTerminated{ExitCode: 3}}},
	}
	if s := summarizePod(p, now); s.status != "Init:ExitCode:3" || s.restarts != "2" {
		t.Errorf("failed init container: status %q restarts %q, want Init:ExitCode:3 and 2", s.status, s.restarts)
	}

	p.Status.InitContainerStatuses[1].State = waiting("CrashLoopBackOff")
	if s := summarizePod(p, now); s.status != "Init:CrashLoopBackOff" {
		t.Errorf("crashing init container: status %q, want Init:CrashLoopBackOff", s.status)
	}

	p.Status.InitContainerStatuses = nil
	p.Status.Phase = api.PodRunning
	p.Status.ContainerStatuses = []api.ContainerStatus{
		{Name: "main", State: api.ContainerState{Terminated: &api.ContainerStateTerminated{Reason: "Completed"}}},
		{Name: "side", Ready: true, State: running(time.Minute)},
	}
	if s := summarizePod(p, now); s.status != "NotReady" {
		t.Errorf("one completed, one running, pod not ready: status %q, want NotReady", s.status)
	}
	p.Status.Conditions = conds(api.ConditionTrue)
	if s := summarizePod(p, now); s.status != "Running" {
		t.Errorf("one completed, one running, pod ready: status %q, want Running", s.status)
	}

	p.DeletionTimestamp = ago(0)
	p.Status.Reason = "NodeLost"
	if s := summarizePod(p, now); s.status != "Unknown" {
		t.Errorf("deleted pod on a lost node: status %q, want Unknown", s.status)
	}
}

func TestFormatAge(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-3 * time.Second, "<invalid>"},
		{-1500 * time.Millisecond, "0s"}, // within clock skew
		{0, "0s"},
		{45 * time.Second, "45s"},
		{119 * time.Second, "119s"},
		{2 * time.Minute, "2m"},
		{2*time.Minute + 30*time.Second, "2m30s"},
		{9*time.Minute + 59*time.Second, "9m59s"},
		{10*time.Minute + 30*time.Second, "10m"},
		{179 * time.Minute, "179m"},
		{3 * time.Hour, "3h"},
		{3*time.Hour + 5*time.Minute, "3h5m"},
		{7*time.Hour + 59*time.Minute, "7h59m"},
		{8*time.Hour + 30*time.Minute, "8h"},
		{47 * time.Hour, "47h"},
		{48 * time.Hour, "2d"},
		{51 * time.Hour, "2d3h"},
		{7*24*time.Hour + 23*time.Hour, "7d23h"},
		{8 * 24 * time.Hour, "8d"},
		{400 * 24 * time.Hour, "400d"},
		{729 * 24 * time.Hour, "729d"},
		{730 * 24 * time.Hour, "2y"},
		{(730 + 100) * 24 * time.Hour, "2y100d"},
		{8 * 365 * 24 * time.Hour, "8y"},
		{20*365*24*time.Hour + 100*24*time.Hour, "20y"},
	} {
		if got := FormatAge(tc.d); got != tc.want {
			t.Errorf("FormatAge(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		at   *api.Time
		want string
	}{
		{nil, "<unknown>"},
		{&api.Time{}, "<unknown>"},
		{ago(90 * time.Second), "90s"},
		{api.NewTime(now.Add(time.Second)), "0s"},
		{api.NewTime(now.Add(time.Hour)), "<invalid>"},
	} {
		if got := Age(tc.at, now); got != tc.want {
			t.Errorf("Age(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func TestNoResourcesMessage(t *testing.T) {
	for _, tc := range []struct {
		ns   string
		all  bool
		want string
	}{
		{"default", false, "No resources found in default namespace."},
		{"default", true, "No resources found"},
		{"", false, "No resources found"},
	} {
		if got := NoResourcesMessage(tc.ns, tc.all); got != tc.want {
			t.Errorf("NoResourcesMessage(%q, %v) = %q, want %q", tc.ns, tc.all, got, tc.want)
		}
	}
}

func TestPrintEmptyTablePrintsNothing(t *testing.T) {
	var b strings.Builder
	if err := TableFor(resource(t, "pods"), nil, now).Print(&b, PrintOptions{}); err != nil || b.Len() != 0 {
		t.Errorf("Print of no pods = %q, %v; want nothing", b.String(), err)
	}
}

func TestTableForWrongTypePanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "*api.Pod") {
			t.Errorf("TableFor(pods, [node]) panicked with %v, want a message naming *api.Pod", r)
		}
	}()
	TableFor(resource(t, "pods"), nodes()[:1], now)
}
