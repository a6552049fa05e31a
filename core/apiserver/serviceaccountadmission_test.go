package apiserver

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func TestServiceAccountAdmission(t *testing.T) {
	no, yes := false, true
	cases := []struct {
		name string
		// noDefault leaves default/default missing.
		noDefault bool
		saMount   *bool // the ServiceAccount's automountServiceAccountToken
		edit      func(p *api.Pod)
		wantSA    string
		wantErr   string
		// wantMounted lists, per container (init containers first),
		// whether the token volume is mounted there.
		wantMounted []bool
	}{
		{name: "defaults to default and mounts", wantSA: "default", wantMounted: []bool{true, true}},
		{name: "default account missing", noDefault: true,
			wantErr: `pods "p" is forbidden: error looking up service account default/default: serviceaccount "default" not found`},
		{name: "named account missing", edit: func(p *api.Pod) { p.Spec.ServiceAccountName = "ghost" },
			wantErr: `pods "p" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found`},
		{name: "deprecated serviceAccount", edit: func(p *api.Pod) { p.Spec.DeprecatedServiceAccount = "robot" }, wantSA: "robot", wantMounted: []bool{true, true}},
		{name: "pod opts out", edit: func(p *api.Pod) { p.Spec.AutomountServiceAccountToken = &no }, wantSA: "default", wantMounted: []bool{false, false}},
		{name: "account opts out", saMount: &no, wantSA: "default", wantMounted: []bool{false, false}},
		{name: "pod opts back in", saMount: &no, edit: func(p *api.Pod) { p.Spec.AutomountServiceAccountToken = &yes }, wantSA: "default", wantMounted: []bool{true, true}},
		{name: "container mounts its own there", edit: func(p *api.Pod) {
			p.Spec.Volumes = []api.Volume{{Name: "mine", VolumeSource: api.VolumeSource{EmptyDir: &api.EmptyDirVolumeSource{}}}}
			p.Spec.Containers[0].VolumeMounts = []api.VolumeMount{{Name: "mine", MountPath: ServiceAccountMountPath}}
		}, wantSA: "default", wantMounted: []bool{true, false}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newTokenFixture(t)
			if !tc.noDefault {
				sa := f.createSA("default")
				if tc.saMount != nil {
					sa.AutomountServiceAccountToken = tc.saMount
					if _, err := client.For[*api.ServiceAccount](f.client).Update(f.ctx, sa, client.WriteOptions{}); err != nil {
						t.Fatal(err)
					}
				}
			}
			p := newPod("p", nil)
			p.Spec.InitContainers = []api.Container{{Name: "init", Image: "busybox"}}
			if tc.edit != nil {
				tc.edit(p)
			}
			got, err := pods(f).Create(f.ctx, p, client.WriteOptions{})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || api.ReasonOf(err) != api.ReasonForbidden {
					t.Fatalf("create pod error = %v, want 403 %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("create pod: %v", err)
			}
			if got.Spec.ServiceAccountName != tc.wantSA || got.Spec.DeprecatedServiceAccount != tc.wantSA {
				t.Errorf("serviceAccountName, serviceAccount = %q, %q; want %q for both", got.Spec.ServiceAccountName, got.Spec.DeprecatedServiceAccount, tc.wantSA)
			}
			var tokenVolume string
			for _, v := range got.Spec.Volumes {
				if v.Projected != nil {
					tokenVolume = v.Name
					if diff := cmp.Diff(serviceAccountVolume(v.Name), v); diff != "" {
						t.Errorf("token volume (-want +got):\n%s", diff)
					}
				}
			}
			var mounted []bool
			for _, c := range append(got.Spec.InitContainers, got.Spec.Containers...) {
				m := false
				for _, vm := range c.VolumeMounts {
					if vm.Name == tokenVolume && tokenVolume != "" {
						m = vm.MountPath == ServiceAccountMountPath && vm.ReadOnly
					}
				}
				mounted = append(mounted, m)
			}
			if diff := cmp.Diff(tc.wantMounted, mounted); diff != "" {
				t.Errorf("token volume mounted per container (init first) (-want +got):\n%s", diff)
			}
			if want := tc.wantMounted[0] || tc.wantMounted[1]; (tokenVolume != "") != want {
				t.Errorf("token volume %q present = %v, want %v", tokenVolume, tokenVolume != "", want)
			}
		})
	}
}

// TestServiceAccountAdmissionNeedsKeys: a server without token keys leaves
// pods as written, so in-process tests and clusters without identity
// need no ServiceAccounts.
func TestServiceAccountAdmissionNeedsKeys(t *testing.T) {
	f := newFixture(t)
	got, err := pods(f).Create(f.ctx, newPod("p", nil), client.WriteOptions{})
	if err != nil {
		t.Fatalf("create pod without keys: %v", err)
	}
	if got.Spec.ServiceAccountName != "" || len(got.Spec.Volumes) != 0 {
		t.Errorf("pod without keys: serviceAccountName %q, volumes %v; want both empty", got.Spec.ServiceAccountName, got.Spec.Volumes)
	}
}
