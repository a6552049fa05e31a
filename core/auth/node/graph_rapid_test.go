package node

import (
	"context"
	"fmt"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth"
	"github.com/tinykube/tinykube/core/auth/authorizer"
	"pgregory.net/rapid"
)

// TestSecretGraphProperty: for random pods on random nodes naming random
// Secrets (and ConfigMaps with the same names) in every way a pod can, a
// node may get a Secret exactly when a pod bound to it, in the Secret's
// namespace, names it as a Secret. The expectation is kept from the
// draws, not computed by References.
func TestSecretGraphProperty(t *testing.T) {
	nodes := []string{"n1", "n2", "n3"}
	namespaces := []string{"dev", "prod"}
	secrets := []string{"s1", "s2", "s3", "s4"}
	rapid.Check(t, func(rt *rapid.T) {
		type key struct{ node, ns, secret string }
		want := map[key]bool{}
		var pods []*api.Pod
		for i, n := 0, rapid.IntRange(0, 8).Draw(rt, "pods"); i < n; i++ {
			node := rapid.SampledFrom(append([]string{""}, nodes...)).Draw(rt, "node")
			ns := rapid.SampledFrom(namespaces).Draw(rt, "namespace")
			p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: fmt.Sprintf("p%d", i), Namespace: ns},
				Spec: api.PodSpec{NodeName: node, Containers: []api.Container{{Name: "c"}}}}
			c := &p.Spec.Containers[0]
			for j, m := 0, rapid.IntRange(0, 4).Draw(rt, "refs"); j < m; j++ {
				name := rapid.SampledFrom(secrets).Draw(rt, "name")
				asSecret := rapid.Bool().Draw(rt, "secret")
				switch way := rapid.IntRange(0, 3).Draw(rt, "way"); {
				case way == 0 && asSecret:
					p.Spec.Volumes = append(p.Spec.Volumes, api.Volume{Name: fmt.Sprint(j), VolumeSource: api.VolumeSource{Secret: &api.SecretVolumeSource{SecretName: name}}})
				case way == 0:
					p.Spec.Volumes = append(p.Spec.Volumes, api.Volume{Name: fmt.Sprint(j), VolumeSource: api.VolumeSource{ConfigMap: &api.ConfigMapVolumeSource{Name: name}}})
				case way == 1 && asSecret:
					c.Env = append(c.Env, api.EnvVar{Name: "E", ValueFrom: &api.EnvVarSource{SecretKeyRef: &api.KeySelector{Name: name, Key: "k"}}})
				case way == 1:
					c.Env = append(c.Env, api.EnvVar{Name: "E", ValueFrom: &api.EnvVarSource{ConfigMapKeyRef: &api.KeySelector{Name: name, Key: "k"}}})
				case way == 2 && asSecret:
					c.EnvFrom = append(c.EnvFrom, api.EnvFromSource{SecretRef: &api.LocalRef{Name: name}})
				case way == 2:
					c.EnvFrom = append(c.EnvFrom, api.EnvFromSource{ConfigMapRef: &api.LocalRef{Name: name}})
				case asSecret:
					p.Spec.Volumes = append(p.Spec.Volumes, api.Volume{Name: fmt.Sprint(j), VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{
						Sources: []api.VolumeProjection{{Secret: &api.SecretProjection{Name: name}}}}}})
				default:
					p.Spec.Volumes = append(p.Spec.Volumes, api.Volume{Name: fmt.Sprint(j), VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{
						Sources: []api.VolumeProjection{{ConfigMap: &api.ConfigMapProjection{Name: name}}}}}})
				}
				if asSecret && node != "" {
					want[key{node, ns, name}] = true
				}
			}
			pods = append(pods, p)
		}
		z := New(fakeSource{pods: pods})
		for _, node := range nodes {
			for _, ns := range namespaces {
				for _, s := range secrets {
					for _, verb := range []string{"get", "watch"} {
						a := authorizer.Attributes{User: auth.NodeUser(node), Verb: verb, ResourceRequest: true, APIVersion: "v1",
							Resource: "secrets", Namespace: ns, Name: s}
						d, reason, err := z.Authorize(context.Background(), a)
						if got := d == authorizer.Allow; got != want[key{node, ns, s}] || err != nil {
							rt.Fatalf("node %s %s secret %s/%s: allowed = %v (%q, %v), want %v", node, verb, ns, s, got, reason, err, want[key{node, ns, s}])
						}
					}
				}
			}
		}
	})
}
