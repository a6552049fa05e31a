package sieve

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// want checks that n objects under prefix hold every fragment.
func want(prefix string, n int, fragments ...string) func(o Outcome) error {
	return func(o Outcome) error {
		if got := len(o.Find(prefix, fragments...)); got != n {
			return fmt.Errorf("%d objects under %s with %q, want %d", got, prefix, fragments, n)
		}
		return nil
	}
}

// all combines checks of the baseline.
func all(checks ...func(o Outcome) error) func(o Outcome) error {
	return func(o Outcome) error {
		for _, c := range checks {
			if err := c(o); err != nil {
				return err
			}
		}
		return nil
	}
}

// setups runs several setup steps in order.
func setups(steps ...func(ctx context.Context, admin *client.Client) error) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		for _, s := range steps {
			if err := s(ctx, admin); err != nil {
				return err
			}
		}
		return nil
	}
}

// readyNodes creates nodes with a Ready status and the hostname label.
func readyNodes(names ...string) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		nodes := client.For[*api.Node](admin)
		for _, n := range names {
			node, err := nodes.Create(ctx, &api.Node{ObjectMeta: api.ObjectMeta{Name: n, Labels: map[string]string{"kubernetes.io/hostname": n}}}, client.WriteOptions{})
			if err != nil {
				return err
			}
			node.Status.Conditions = []api.NodeCondition{{Type: "Ready", Status: api.ConditionTrue, Reason: "KubeletReady"}}
			node.Status.Capacity = api.ResourceList{api.ResourceCPU: api.MustParseQuantity("4"), api.ResourcePods: api.MustParseQuantity("110")}
			node.Status.Allocatable = node.Status.Capacity
			if _, err := nodes.UpdateStatus(ctx, node, client.WriteOptions{}); err != nil {
				return err
			}
		}
		return nil
	}
}

// boundPod creates a running pod on node (no node: unbound), optionally
// owned by owner.
func boundPod(name, node string, labels map[string]string, owner api.Object) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		pod := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default", Labels: labels},
			Spec: api.PodSpec{NodeName: node, Containers: []api.Container{{Name: "c", Image: "busybox:1"}}}}
		if owner != nil {
			m := owner.GetObjectMeta()
			res := api.ResourceOf(owner)
			yes := true
			pod.OwnerReferences = []api.OwnerReference{{APIVersion: res.APIVersion(), Kind: res.Kind, Name: m.Name, UID: string(m.UID), Controller: &yes, BlockOwnerDeletion: &yes}}
		}
		_, err := client.For[*api.Pod](admin).Create(ctx, pod, client.WriteOptions{})
		return err
	}
}

// update reads a T, changes it and writes it back.
func update[T api.Object](ns, name string, change func(T)) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		r := client.For[T](admin)
		obj, err := r.Get(ctx, ns, name)
		if err != nil {
			return err
		}
		change(obj)
		_, err = r.Update(ctx, obj, client.WriteOptions{})
		return err
	}
}

// remove deletes an object with a propagation policy ("" for the
// server's default).
func remove[T api.Object](ns, name, policy string) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		_, err := client.For[T](admin).Delete(ctx, ns, name, client.DeleteOptions{PropagationPolicy: policy})
		return err
	}
}

func ptr[T any](v T) *T { return &v }
