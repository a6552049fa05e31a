package volumelab

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/labs/lab"
	"github.com/tinykube/tinykube/sim/cluster"
)

// plugin adapts the student's Match to the binder's hook. missing is set
// when Match says it is not written yet; the binder then binds nothing.
func (c checker) plugin(missing *error) func(*api.PersistentVolumeClaim, []*api.PersistentVolume, *api.Node) *api.PersistentVolume {
	return func(claim *api.PersistentVolumeClaim, vols []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
		pv, err := c.call(claim, vols, node)
		if err != nil {
			if *missing == nil {
				*missing = err
			}
			return nil
		}
		return pv
	}
}

// world is one seed's cluster: static volumes (a few pre-bound to a
// claim by name), the claims that arrive after the binder has seen the
// volumes, and the faults that hit the binder meanwhile.
type world struct {
	volumes []*api.PersistentVolume
	claims  []*api.PersistentVolumeClaim
	faults  []map[string]any
}

func genWorld(r *rand.Rand) world {
	var w world
	n := 4 + r.IntN(3)
	for i := range n {
		c := genClaim(r)
		c.Name = fmt.Sprintf("claim-%d", i+1)
		c.UID = ""
		w.claims = append(w.claims, c)
	}
	for range 6 + r.IntN(4) {
		c := pick(r, w.claims)
		pv := fitting(r, c, nil)
		if r.IntN(3) == 0 {
			miss(r, c, pv, nil)
		}
		w.volumes = append(w.volumes, pv)
	}
	for _, c := range w.claims {
		if r.IntN(4) == 0 {
			pv := fitting(r, c, nil)
			pv.Spec.Capacity = api.ResourceList{api.ResourceStorage: api.MustParseQuantity("100Gi")}
			pv.Spec.ClaimRef = &api.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: c.Namespace, Name: c.Name}
			if r.IntN(4) == 0 {
				miss(r, c, pv, nil) // a reservation that does not fit: no answer
			}
			w.volumes = append(w.volumes, pv)
		}
	}
	for i, j := range r.Perm(len(w.volumes)) {
		pv := w.volumes[i]
		pv.TypeMeta = api.TypeMeta{APIVersion: "v1", Kind: "PersistentVolume"}
		pv.Name = fmt.Sprintf("pv-%02d", j+1)
		pv.Spec.HostPath = &api.HostPathVolumeSource{Path: "/mnt/" + pv.Name}
		pv.Spec.PersistentVolumeReclaimPolicy = api.ReclaimRetain
	}
	// Claims arrive in two or three waves, the binder's faults among them.
	at := 1000
	for i, c := range w.claims {
		c.TypeMeta = api.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}
		w.faults = append(w.faults, map[string]any{"at": fmt.Sprintf("%dms", at), "action": "apply", "objects": []any{c}})
		if i%2 == 1 {
			at += 300 + r.IntN(1500)
		}
	}
	for range 1 + r.IntN(2) {
		t := fmt.Sprintf("%dms", 1000+r.IntN(at))
		switch r.IntN(3) {
		case 0:
			w.faults = append(w.faults, map[string]any{"at": t, "action": "restart-controller-manager"})
		case 1:
			w.faults = append(w.faults, map[string]any{"at": t, "action": "crash-at-call", "process": "controller-manager",
				"call": 1 + r.IntN(6), "when": pick(r, []string{"before", "after"}), "for": "300ms"})
		case 2:
			w.faults = append(w.faults, map[string]any{"at": t, "action": "cut-watches"})
		}
	}
	slices.SortStableFunc(w.faults, func(a, b map[string]any) int {
		return durationMS(a["at"].(string)) - durationMS(b["at"].(string))
	})
	return w
}

func durationMS(s string) int {
	var ms int
	fmt.Sscanf(s, "%dms", &ms)
	return ms
}

// scenario is w as a scenario file (JSON, which the YAML reader takes).
func (w world) scenario() ([]byte, error) {
	objects := []any{}
	for _, class := range []string{"fast", "slow"} {
		objects = append(objects, map[string]any{"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": map[string]any{"name": class},
			"provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "Immediate"})
	}
	for _, pv := range w.volumes {
		objects = append(objects, pv)
	}
	return json.MarshalIndent(map[string]any{
		"name": "lab15-binds",
		"description": "Static volumes of three classes and several sizes, some pre-bound to a claim by name; " +
			"claims arrive in waves while the controller manager restarts, crashes at a call or loses its watches, and answers are lost.",
		"duration":   "20s",
		"cluster":    map[string]any{"nodes": 1},
		"network":    map[string]any{"latency": "5ms", "jitter": "20ms", "lostResponse": 0.03},
		"objects":    objects,
		"faults":     w.faults,
		"invariants": []string{"node-capacity"},
	}, "", " ")
}

// sim runs the student's Match inside the binder of a cluster drawn from
// the seed, and checks the binder's promises after every step.
func (c checker) sim(env *lab.Env) error {
	w := genWorld(env.Rand)
	text, err := w.scenario()
	if err != nil {
		return err
	}
	var missing error
	var b *binderCheck
	return lab.Simulate(env, lab.Sim{
		Scenarios: fstest.MapFS{"scenarios/binds.yaml": {Data: text}},
		File:      "binds.yaml",
		Plugins:   cluster.Plugins{VolumeMatch: c.plugin(&missing)},
		Missing:   &missing,
		During: func(cl *cluster.Cluster) func() error {
			b = watchBinder(cl)
			return b.step
		},
		After: func(*cluster.Cluster) error { return b.settled() },
		Keep: func(line string) bool {
			return strings.Contains(line, "persistentvolume")
		},
	})
}

// binderCheck follows volumes and claims through the store's watch, in
// the order they were written, and checks each write of the binder
// against the state just before it.
type binderCheck struct {
	w       store.Watcher
	err     error
	volumes map[string]*api.PersistentVolume
	claims  map[string]*api.PersistentVolumeClaim // by namespace/name
}

// "/registry/persistentvolume" is the prefix of both kinds' keys.
const storagePrefix = "/registry/persistentvolume"

func watchBinder(cl *cluster.Cluster) *binderCheck {
	w, err := cl.Store.Watch(context.Background(), storagePrefix, 0)
	return &binderCheck{w: w, err: err, volumes: map[string]*api.PersistentVolume{}, claims: map[string]*api.PersistentVolumeClaim{}}
}

func (b *binderCheck) step() error {
	if b.err != nil {
		return b.err
	}
	for {
		ev, ok := b.w.Next()
		if !ok {
			return nil
		}
		key := strings.TrimPrefix(ev.KV.Key, storagePrefix)
		claimKey, isClaim := strings.CutPrefix(key, "claims/")
		volumeName, isVolume := strings.CutPrefix(key, "s/")
		switch {
		case ev.Type == store.EventDelete && isClaim:
			delete(b.claims, claimKey)
		case ev.Type == store.EventDelete && isVolume:
			delete(b.volumes, volumeName)
		case isClaim:
			var pvc api.PersistentVolumeClaim
			if err := json.Unmarshal(ev.KV.Value, &pvc); err != nil {
				return fmt.Errorf("decoding %s: %v", ev.KV.Key, err)
			}
			if err := b.claimWritten(&pvc); err != nil {
				return err
			}
			b.claims[claimKey] = &pvc
		case isVolume:
			var pv api.PersistentVolume
			if err := json.Unmarshal(ev.KV.Value, &pv); err != nil {
				return fmt.Errorf("decoding %s: %v", ev.KV.Key, err)
			}
			if err := b.volumeWritten(&pv); err != nil {
				return err
			}
			b.volumes[volumeName] = &pv
		}
	}
}

// sortedVolumes is the volumes as the binder's informer lists them.
func (b *binderCheck) sortedVolumes() []*api.PersistentVolume {
	var out []*api.PersistentVolume
	for _, pv := range b.volumes {
		out = append(out, pv)
	}
	slices.SortFunc(out, func(a, b *api.PersistentVolume) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// volumeWritten checks a write of pv against the state before it.
func (b *binderCheck) volumeWritten(pv *api.PersistentVolume) error {
	old := b.volumes[pv.Name]
	var was *api.ObjectReference
	if old != nil {
		was = old.Spec.ClaimRef
	}
	now := pv.Spec.ClaimRef
	if was != nil && now != nil && (was.Namespace != now.Namespace || was.Name != now.Name || (was.UID != "" && was.UID != now.UID)) {
		return fmt.Errorf("one-claim-per-volume: volume %s, reserved for claim %s/%s, was given to claim %s/%s (a volume whose claimRef names another claim is not free)",
			pv.Name, was.Namespace, was.Name, now.Namespace, now.Name)
	}
	if now == nil || now.UID == "" || (was != nil && was.UID != "") {
		return nil // not a binding
	}
	claim := b.claims[now.Namespace+"/"+now.Name]
	if claim == nil || claim.UID != now.UID {
		return nil
	}
	if why := misfit(claim, pv, nil); why != "" {
		return fmt.Errorf("bound-volume-fits: %s was bound to %s, which does not fit it: %s\n    %s", describeClaim(claim), pv.Name, why, b.describeVolumes())
	}
	if was != nil {
		return nil // a pre-binding honoured
	}
	for _, other := range b.sortedVolumes() {
		if other.Name != pv.Name && reservedFor(claim, other) && misfit(claim, other, nil) == "" {
			return fmt.Errorf("pre-binding-honoured: %s was bound to %s while %s, whose claimRef reserves it for this claim, fits it\n    %s",
				describeClaim(claim), pv.Name, other.Name, b.describeVolumes())
		}
	}
	if want := expected(claim, b.sortedVolumes(), nil); want != nil && want.Name != pv.Name {
		return fmt.Errorf("smallest-fit: %s was bound to %s (%s) while %s (%s), free, fitted it too: the binder takes the smallest fit, the first by name among equals\n    %s",
			describeClaim(claim), pv.Name, capacity(pv).String(), want.Name, capacity(want).String(), b.describeVolumes())
	}
	return nil
}

// claimWritten checks that no two claims name one volume.
func (b *binderCheck) claimWritten(pvc *api.PersistentVolumeClaim) error {
	v := pvc.Spec.VolumeName
	if v == "" {
		return nil
	}
	for key, other := range b.claims {
		if key != pvc.Namespace+"/"+pvc.Name && other.Spec.VolumeName == v {
			return fmt.Errorf("one-claim-per-volume: claims %s and %s/%s both name volume %s", key, pvc.Namespace, pvc.Name, v)
		}
	}
	return nil
}

// settled checks the end of the run: no claim Pending beside a volume it
// could have had.
func (b *binderCheck) settled() error {
	keys := make([]string, 0, len(b.claims))
	for k := range b.claims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		claim := b.claims[k]
		if claim.Status.Phase == api.ClaimBound {
			continue
		}
		if want := expected(claim, b.sortedVolumes(), nil); want != nil {
			why := "is free and fits it"
			if reservedFor(claim, want) {
				why = "is reserved for it by its claimRef and fits it"
			}
			return fmt.Errorf("claims-bound: at the end %s is %s, while %s %s\n    %s", describeClaim(claim), phaseOf(claim), want.Name, why, b.describeVolumes())
		}
	}
	return nil
}

func phaseOf(c *api.PersistentVolumeClaim) string {
	if c.Status.Phase == "" {
		return "without a phase"
	}
	return c.Status.Phase
}

func (b *binderCheck) describeVolumes() string {
	var lines []string
	for _, pv := range b.sortedVolumes() {
		lines = append(lines, describeVolume(pv))
	}
	return "volumes just before:\n      " + strings.Join(lines, "\n      ")
}
