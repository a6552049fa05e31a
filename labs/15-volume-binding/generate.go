package volumelab

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// shape says what a generated call may contain.
type shape struct {
	// misses: volumes that miss the claim by one rule.
	misses bool
	// taken: volumes held by other claims, Released, Failed or being
	// deleted, often smaller than the free ones.
	taken bool
	// reserved: a volume reserved for the claim, often the largest.
	reserved bool
	// node: a selected node, and volumes tied to nodes.
	node bool
	// many: several volumes that fit, sizes close or equal.
	many bool
}

var (
	classes = []string{"", "fast", "slow"}
	// sizes are written as people write them; some are equal in value
	// and different in text, and their text orders differently from
	// their value ("10Gi" < "5Gi").
	sizes    = []string{"500Mi", "1Gi", "1024Mi", "1536Mi", "2Gi", "2G", "5Gi", "10Gi", "20Gi", "100Gi"}
	allModes = []string{api.ReadWriteOnce, api.ReadOnlyMany, api.ReadWriteMany}
	zones    = []string{"zone-a", "zone-b"}
)

const zoneLabel = "topology.kubernetes.io/zone"

func genClaim(r *rand.Rand) *api.PersistentVolumeClaim {
	c := &api.PersistentVolumeClaim{ObjectMeta: api.ObjectMeta{Namespace: "default", Name: "data", UID: "uid-data-2"}}
	class := pick(r, classes)
	c.Spec.StorageClassName = &class
	c.Spec.AccessModes = []string{pick(r, allModes)}
	if r.IntN(4) == 0 {
		if m := pick(r, allModes); m != c.Spec.AccessModes[0] {
			c.Spec.AccessModes = append(c.Spec.AccessModes, m)
		}
	}
	switch r.IntN(6) {
	case 0:
		c.Spec.VolumeMode = ptr(api.VolumeBlock)
	case 1:
		c.Spec.VolumeMode = ptr(api.VolumeFilesystem)
	}
	c.Spec.Resources.Requests = api.ResourceList{api.ResourceStorage: api.MustParseQuantity(pick(r, sizes[:8]))}
	switch r.IntN(4) {
	case 0:
		c.Spec.Selector = &api.LabelSelector{MatchLabels: map[string]string{"tier": "gold"}}
	case 1:
		c.Spec.Selector = &api.LabelSelector{MatchExpressions: []api.LabelSelectorRequirement{{Key: "tier", Operator: "In", Values: []string{"gold", "silver"}}}}
	}
	return c
}

func genNode(r *rand.Rand) *api.Node {
	name := pick(r, []string{"node-1", "node-2", "node-3"})
	return &api.Node{ObjectMeta: api.ObjectMeta{Name: name, Labels: map[string]string{api.LabelHostname: name, zoneLabel: pick(r, zones)}}}
}

// fitting returns a volume that fits c from node: of c's class, with c's
// modes and one more now and then, c's volume mode, at least c's size,
// labels c's selector accepts, and (with a node) affinity that admits it.
func fitting(r *rand.Rand, c *api.PersistentVolumeClaim, node *api.Node) *api.PersistentVolume {
	pv := &api.PersistentVolume{}
	pv.Spec.StorageClassName = api.ClaimClass(c)
	pv.Spec.AccessModes = slices.Clone(c.Spec.AccessModes)
	if m := pick(r, allModes); r.IntN(2) == 0 && !slices.Contains(pv.Spec.AccessModes, m) {
		pv.Spec.AccessModes = append(pv.Spec.AccessModes, m)
	}
	if c.Spec.VolumeMode != nil && *c.Spec.VolumeMode == api.VolumeBlock {
		pv.Spec.VolumeMode = ptr(api.VolumeBlock)
	} else if r.IntN(2) == 0 {
		pv.Spec.VolumeMode = ptr(api.VolumeFilesystem)
	}
	want := c.Spec.Resources.Requests[api.ResourceStorage]
	var bigger []string
	for _, s := range sizes {
		if q := api.MustParseQuantity(s); q.Cmp(want) >= 0 {
			bigger = append(bigger, s)
		}
	}
	pv.Spec.Capacity = api.ResourceList{api.ResourceStorage: api.MustParseQuantity(pick(r, bigger[:min(len(bigger), 4)]))}
	if c.Spec.Selector != nil || r.IntN(3) == 0 {
		pv.Labels = map[string]string{"tier": "gold"}
		if c.Spec.Selector == nil || c.Spec.Selector.MatchLabels == nil {
			pv.Labels["tier"] = pick(r, []string{"gold", "silver"})
		}
	}
	if node != nil && r.IntN(2) == 0 {
		pv.Spec.NodeAffinity = affinity(r.IntN(2) == 0, node.Name, node.Labels[zoneLabel])
	}
	return pv
}

// affinity ties a volume to a node by hostname or to a zone.
func affinity(byHost bool, host, zone string) *api.VolumeNodeAffinity {
	req := api.NodeSelectorRequirement{Key: api.LabelHostname, Operator: "In", Values: []string{host}}
	if !byHost {
		req = api.NodeSelectorRequirement{Key: zoneLabel, Operator: "In", Values: []string{zone}}
	}
	return &api.VolumeNodeAffinity{Required: &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{MatchExpressions: []api.NodeSelectorRequirement{req}}}}}
}

// miss changes pv so that it misses c by one rule, the kind of volume a
// careless Match takes: another class, a mode short, the other volume
// mode, a size just below, a label off, another node.
func miss(r *rand.Rand, c *api.PersistentVolumeClaim, pv *api.PersistentVolume, node *api.Node) {
	want := c.Spec.Resources.Requests[api.ResourceStorage]
	for {
		switch r.IntN(6) {
		case 0:
			if other := pick(r, classes); other != api.ClaimClass(c) {
				pv.Spec.StorageClassName = other
				return
			}
		case 1:
			m := pick(r, c.Spec.AccessModes)
			pv.Spec.AccessModes = slices.DeleteFunc(pv.Spec.AccessModes, func(x string) bool { return x == m })
			if len(pv.Spec.AccessModes) == 0 {
				pv.Spec.AccessModes = []string{pick(r, slices.DeleteFunc(slices.Clone(allModes), func(x string) bool { return x == m }))}
			}
			return
		case 2:
			if volumeMode(c.Spec.VolumeMode) == api.VolumeBlock {
				pv.Spec.VolumeMode = pick(r, []*string{nil, ptr(api.VolumeFilesystem)})
			} else {
				pv.Spec.VolumeMode = ptr(api.VolumeBlock)
			}
			return
		case 3:
			var smaller []string
			for _, s := range sizes {
				if q := api.MustParseQuantity(s); q.Cmp(want) < 0 {
					smaller = append(smaller, s)
				}
			}
			if len(smaller) > 0 {
				// the largest that is too small, or one whose text sorts
				// above the claim's
				s := smaller[len(smaller)-1]
				if r.IntN(2) == 0 {
					s = pick(r, smaller)
				}
				pv.Spec.Capacity = api.ResourceList{api.ResourceStorage: api.MustParseQuantity(s)}
				return
			}
		case 4:
			if c.Spec.Selector != nil {
				pv.Labels = pick(r, []map[string]string{nil, {"tier": "bronze"}, {"disk": "ssd"}})
				return
			}
		case 5:
			if node != nil {
				var other string
				for _, n := range []string{"node-1", "node-2", "node-3"} {
					if n != node.Name {
						other = n
					}
				}
				otherZone := "zone-a"
				if node.Labels[zoneLabel] == "zone-a" {
					otherZone = "zone-b"
				}
				pv.Spec.NodeAffinity = affinity(r.IntN(2) == 0, other, otherZone)
				return
			}
		}
	}
}

// take makes pv unavailable to c.
func take(r *rand.Rand, pv *api.PersistentVolume) {
	switch r.IntN(5) {
	case 0, 1:
		pv.Spec.ClaimRef = &api.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: "default", Name: pick(r, []string{"logs", "cache", "db"}), UID: pick(r, []string{"", "uid-other"})}
		pv.Status.Phase = pick(r, []string{api.VolumeBound, api.VolumeAvailable})
	case 2:
		// an earlier claim of the same name, deleted and made again
		pv.Spec.ClaimRef = &api.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: "default", Name: "data", UID: "uid-data-1"}
		pv.Status.Phase = api.VolumeReleased
	case 3:
		pv.Status.Phase = pick(r, []string{api.VolumeReleased, api.VolumeFailed})
	case 4:
		pv.DeletionTimestamp = api.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		pv.Finalizers = []string{"kubernetes.io/pv-protection"}
	}
}

// generate draws a call of Match.
func generate(r *rand.Rand, s shape) (*api.PersistentVolumeClaim, []*api.PersistentVolume, *api.Node) {
	c := genClaim(r)
	var node *api.Node
	if s.node {
		node = genNode(r)
	}
	n := 2 + r.IntN(4)
	if s.many {
		n += 3
	}
	var vols []*api.PersistentVolume
	for i := range n {
		pv := fitting(r, c, node)
		switch {
		case s.many && i < 3:
			// fits
		case s.misses && r.IntN(2) == 0:
			miss(r, c, pv, node)
		case s.taken && r.IntN(2) == 0:
			take(r, pv)
			pv.Spec.Capacity = api.ResourceList{api.ResourceStorage: c.Spec.Resources.Requests[api.ResourceStorage]}
		case !s.misses && !s.taken && r.IntN(4) == 0:
			miss(r, c, pv, node)
		}
		vols = append(vols, pv)
	}
	if s.reserved && r.IntN(5) > 0 {
		pv := fitting(r, c, node)
		pv.Spec.Capacity = api.ResourceList{api.ResourceStorage: api.MustParseQuantity(pick(r, []string{"20Gi", "100Gi"}))}
		pv.Spec.ClaimRef = &api.ObjectReference{Kind: "PersistentVolumeClaim", Namespace: "default", Name: "data", UID: pick(r, []string{"", c.UID})}
		pv.Status.Phase = api.VolumeAvailable
		if r.IntN(6) == 0 {
			miss(r, c, pv, node) // a reservation that does not fit is no answer
		}
		vols = append(vols, pv)
	}
	// Names in an order unrelated to the list's, so that "first in the
	// list" and "first by name" differ.
	for i, j := range r.Perm(len(vols)) {
		vols[i].Name = fmt.Sprintf("pv-%02d", j+1)
	}
	r.Shuffle(len(vols), func(i, j int) { vols[i], vols[j] = vols[j], vols[i] })
	return c, vols, node
}

func ptr[T any](v T) *T { return &v }
