package replicasetlab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/labs/lab"
)

// DiffFunc is an answer to the lab: student.Diff.
type DiffFunc func(rs *api.ReplicaSet, pods []*api.Pod) (create int, deleteNames []string)

// Lab returns lab 06 checking diff.
func Lab(diff DiffFunc) lab.Lab {
	c := checker{diff}
	return lab.Lab{Number: "06", Name: "a ReplicaSet reconcile step", Book: `book/06-controllers-replicasets.md, "Lab"`, Tests: []lab.Test{
		{Name: "CountsActivePods", Points: 20, Book: `book/06-controllers-replicasets.md, "Code: Reconcile" (isActive, manage)`,
			Property: "Diff creates exactly the missing replicas, counting only pods that are neither being deleted nor finished",
			Check:    c.exact(shape{inactive: true}, false)},
		{Name: "DeletesLeastValuable", Points: 20, Book: `book/06-controllers-replicasets.md, "Code: which pods to delete"`,
			Property: "Diff deletes the surplus in Kubernetes' order: unscheduled, Pending/Unknown/Running, not ready, more restarts, newer, then name",
			Check:    c.exact(shape{surplus: true}, true)},
		{Name: "LeavesInactivePods", Points: 20, Book: `book/06-controllers-replicasets.md, "Code: Reconcile" (isActive)`,
			Property: "Diff never deletes a pod being deleted, a finished pod, a pod it was not given or one pod twice, and never both creates and deletes",
			Check:    c.leavesInactive},
		{Name: "Converges", Points: 20, Book: `book/06-controllers-replicasets.md, "Code: Reconcile"`,
			Property: "after one step is applied (the deleted pods gone, the created ones Pending), Diff asks for nothing more",
			Check:    c.converges},
		{Name: "ScalesInACluster", Points: 20, Book: `book/06-controllers-replicasets.md, "Code: Reconcile"`,
			Property: "with your Diff inside the ReplicaSet controller of a simulated cluster, scaled up and down on a lossy network, no ReplicaSet ever has more live pods than it was asked for, and it ends with exactly its replicas running and ready",
			Check:    c.sim("scales.yaml")},
	}}
}

type checker struct{ diff DiffFunc }

// call runs the student's Diff on copies, so that a Diff that changes its
// arguments cannot hide it from the checks that follow.
func (c checker) call(rs *api.ReplicaSet, pods []*api.Pod) (int, []string, error) {
	cp := make([]*api.Pod, len(pods))
	for i, p := range pods {
		cp[i] = api.DeepCopy(p)
	}
	n, del := c.diff(api.DeepCopy(rs), cp)
	if n == -1 {
		return n, del, fmt.Errorf("Diff is not implemented yet (it returned -1): write it in labs/06-replicaset/student/diff.go, below \"LAB 06: your code here\"")
	}
	return n, del, nil
}

func (c checker) exact(s shape, withSurplus bool) func(*lab.Env) error {
	return func(env *lab.Env) error {
		for range 10 {
			rs, pods := generate(env.Rand, s)
			n, del, err := c.call(rs, pods)
			if err != nil {
				return err
			}
			wn, wdel := expected(rs, pods)
			if n != wn || !slices.Equal(del, wdel) {
				return fmt.Errorf("Diff(%s\n) = create %d, delete %s; want create %d, delete %s", describe(rs, pods), n, names(del), wn, names(wdel))
			}
		}
		return nil
	}
}

func names(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return "[" + strings.Join(xs, " ") + "]"
}

func (c checker) leavesInactive(env *lab.Env) error {
	for range 10 {
		rs, pods := generate(env.Rand, shape{inactive: true, surplus: env.Rand.IntN(2) == 0})
		n, del, err := c.call(rs, pods)
		if err != nil {
			return err
		}
		bad := func(why string) error {
			return fmt.Errorf("Diff(%s\n) = create %d, delete %s: %s", describe(rs, pods), n, names(del), why)
		}
		if n < 0 {
			return bad("create is negative")
		}
		if n > 0 && len(del) > 0 {
			return bad("it both creates and deletes")
		}
		seen := map[string]bool{}
		for _, name := range del {
			i := slices.IndexFunc(pods, func(p *api.Pod) bool { return p.Name == name })
			switch {
			case i < 0:
				return bad(fmt.Sprintf("there is no pod %s", name))
			case seen[name]:
				return bad(fmt.Sprintf("it deletes %s twice", name))
			case !isActive(pods[i]):
				return bad(fmt.Sprintf("%s is being deleted or has finished: it no longer counts, and deleting it again frees nothing", name))
			}
			seen[name] = true
		}
	}
	return nil
}

func (c checker) converges(env *lab.Env) error {
	for range 10 {
		rs, pods := generate(env.Rand, shape{inactive: true, surplus: env.Rand.IntN(2) == 0})
		n, del, err := c.call(rs, pods)
		if err != nil {
			return err
		}
		var next []*api.Pod
		for _, p := range pods {
			if !slices.Contains(del, p.Name) {
				next = append(next, p)
			}
		}
		for i := range max(n, 0) {
			next = append(next, &api.Pod{
				ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("web-new%d", i), Namespace: "default", CreationTimestamp: &api.Time{Time: epoch.Add(20 * 60e9)}},
				Status:     api.PodStatus{Phase: api.PodPending},
			})
		}
		n2, del2, err := c.call(rs, next)
		if err != nil {
			return err
		}
		if n2 != 0 || len(del2) > 0 {
			return fmt.Errorf("Diff(%s\n) = create %d, delete %s, but after that step Diff(%s\n) = create %d, delete %s, want create 0, delete none",
				describe(rs, pods), n, names(del), describe(rs, next), n2, names(del2))
		}
	}
	return nil
}
