package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/kubelet"
	"github.com/tinykube/tinykube/core/store"
)

// The storage invariants (rwo-single-node, pv-single-claim,
// retain-keeps-data, statefulset-data) and the claims' liveness.
//
// The binding promise is judged from the API, on both sides and over
// time: a claim that was Bound to one volume never becomes Bound to
// another, and no two Bound claims name one volume. The data promises are
// judged from the machines: which pods' containers really run and which
// directories of which node's disk they mount (sim/runtime PodDisks), the
// directories a disk ever deleted (Disk.DeletedSince), and every file's
// incarnation — a number a file gets when it is written while absent, so
// that a replacement that writes the same text into an empty volume is
// told apart from one that found its predecessor's file.

// storageCheck follows volumes, claims and pods with its own watch and
// checks the storage invariants after every step.
type storageCheck struct {
	c        *Cluster
	ordinals *ordinalCheck // which pod names are StatefulSet ordinals
	w        store.Watcher
	volumes  map[string]*volumeFacts // by name
	claims   map[string]*claimFacts  // by uid
	byPath   map[string]string       // a local volume's node and path ("node-1:/var/...") -> volume name
	deleted  map[string]int          // node -> how many of its disk's deletions were checked
	// data is what each StatefulSet ordinal's volumes held, by
	// "namespace/set ordinal i volume v" then file name.
	data map[string]map[string]fileFacts
}

type volumeFacts struct {
	node, path string // of a local volume, when it names one node
	retain     bool
	rwo        bool
	phase      string
	claimUID   string // spec.claimRef.uid
}

type claimFacts struct {
	key     string // namespace/name
	volume  string // spec.volumeName
	bound   bool   // status.phase Bound and not being deleted
	boundTo string // the first volume it was ever Bound to
}

type fileFacts struct {
	incarnation int
	writer      string // the uid of the pod that was running when it was first seen
	node        string
}

func newStorageCheck(c *Cluster, ordinals *ordinalCheck) *storageCheck {
	w, err := c.Store.Watch(context.Background(), "/registry/persistentvolume", 0) // volumes and claims
	if err != nil {
		panic(fmt.Sprintf("storage invariants: watching the store: %v", err)) // the memory store always can
	}
	return &storageCheck{c: c, ordinals: ordinals, w: w, volumes: map[string]*volumeFacts{}, claims: map[string]*claimFacts{},
		byPath: map[string]string{}, deleted: map[string]int{}, data: map[string]map[string]fileFacts{}}
}

func (s *storageCheck) enabled(name string) bool { return s.c.checker.enabled[name] }

// check runs after every step: what the API says first, then what the
// machines hold.
func (s *storageCheck) check() error {
	for {
		ev, ok := s.w.Next()
		if !ok {
			break
		}
		var err error
		switch {
		case strings.HasPrefix(ev.KV.Key, "/registry/persistentvolumes/"):
			err = s.volumeEvent(ev)
		case strings.HasPrefix(ev.KV.Key, "/registry/persistentvolumeclaims/"):
			err = s.claimEvent(ev)
		}
		if err != nil {
			return err
		}
	}
	if len(s.volumes) == 0 {
		return nil // nothing to check until a volume exists
	}
	if err := s.retained(); err != nil {
		return err
	}
	return s.machines()
}

// volumeEvent keeps a volume's facts and checks that it is not Bound to
// one claim while another Bound claim names it, nor a second volume Bound
// to a claim that already has one.
func (s *storageCheck) volumeEvent(ev store.Event) error {
	var pv api.PersistentVolume
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &pv) == nil {
			delete(s.volumes, pv.Name)
		}
		return nil
	}
	if json.Unmarshal(ev.KV.Value, &pv) != nil {
		return nil
	}
	f := &volumeFacts{retain: pv.Spec.PersistentVolumeReclaimPolicy == api.ReclaimRetain, phase: pv.Status.Phase,
		rwo: slices.Contains(pv.Spec.AccessModes, api.ReadWriteOnce) || slices.Contains(pv.Spec.AccessModes, api.ReadWriteOncePod)}
	if ref := pv.Spec.ClaimRef; ref != nil {
		f.claimUID = ref.UID
	}
	if pv.Spec.Local != nil {
		f.path = pv.Spec.Local.Path
		if a := pv.Spec.NodeAffinity; a != nil && a.Required != nil && len(a.Required.NodeSelectorTerms) == 1 {
			for _, r := range a.Required.NodeSelectorTerms[0].MatchExpressions {
				if r.Key == api.LabelHostname && r.Operator == "In" && len(r.Values) == 1 {
					f.node = r.Values[0]
				}
			}
		}
		s.byPath[f.node+":"+f.path] = pv.Name
	}
	s.volumes[pv.Name] = f
	if !s.enabled("pv-single-claim") || f.phase != api.VolumeBound || f.claimUID == "" {
		return nil
	}
	for _, uid := range sortedKeys(s.claims) {
		if cl := s.claims[uid]; cl.bound && cl.volume == pv.Name && uid != f.claimUID {
			return fmt.Errorf("pv-single-claim: persistentvolume %s is Bound to claim uid %s while claim %s (uid %s) is Bound to it: one volume, two claims",
				pv.Name, f.claimUID, cl.key, uid)
		}
	}
	for _, name := range sortedKeys(s.volumes) {
		if o := s.volumes[name]; name != pv.Name && o.phase == api.VolumeBound && o.claimUID == f.claimUID {
			return fmt.Errorf("pv-single-claim: persistentvolumes %s and %s are both Bound to claim uid %s: one claim, two volumes", name, pv.Name, f.claimUID)
		}
	}
	return nil
}

// claimEvent keeps a claim's facts and checks that a Bound claim was
// never Bound to another volume, and that no other Bound claim names its
// volume.
func (s *storageCheck) claimEvent(ev store.Event) error {
	var pvc api.PersistentVolumeClaim
	if ev.Type == store.EventDelete {
		if ev.Prev != nil && json.Unmarshal(ev.Prev.Value, &pvc) == nil {
			delete(s.claims, pvc.UID)
		}
		return nil
	}
	if json.Unmarshal(ev.KV.Value, &pvc) != nil {
		return nil
	}
	f := s.claims[pvc.UID]
	if f == nil {
		f = &claimFacts{key: pvc.Namespace + "/" + pvc.Name}
		s.claims[pvc.UID] = f
	}
	f.volume = pvc.Spec.VolumeName
	f.bound = pvc.Status.Phase == api.ClaimBound && pvc.Spec.VolumeName != ""
	if !f.bound || !s.enabled("pv-single-claim") {
		return nil
	}
	if f.boundTo != "" && f.boundTo != f.volume {
		return fmt.Errorf("pv-single-claim: claim %s (uid %s) was Bound to persistentvolume %s and is now Bound to %s: one claim, two volumes",
			f.key, pvc.UID, f.boundTo, f.volume)
	}
	f.boundTo = f.volume
	for _, uid := range sortedKeys(s.claims) {
		if o := s.claims[uid]; uid != pvc.UID && o.bound && o.volume == f.volume {
			return fmt.Errorf("pv-single-claim: claims %s (uid %s) and %s (uid %s) are both Bound to persistentvolume %s: one volume, two claims",
				o.key, uid, f.key, pvc.UID, f.volume)
		}
	}
	if v := s.volumes[f.volume]; v != nil && v.phase == api.VolumeBound && v.claimUID != "" && v.claimUID != pvc.UID {
		return fmt.Errorf("pv-single-claim: claim %s (uid %s) is Bound to persistentvolume %s, which is Bound to claim uid %s: one volume, two claims",
			f.key, pvc.UID, f.volume, v.claimUID)
	}
	return nil
}

// retained checks every directory the nodes' disks deleted since the
// last step: none may be a Retain volume's.
func (s *storageCheck) retained() error {
	for _, n := range s.c.Nodes {
		gone := n.Disk.DeletedSince(s.deleted[n.Name])
		s.deleted[n.Name] += len(gone)
		if !s.enabled("retain-keeps-data") {
			continue
		}
		for _, p := range gone {
			name := s.byPath[n.Name+":"+p]
			if v := s.volumes[name]; v != nil && v.retain {
				return fmt.Errorf("retain-keeps-data: node %s deleted directory %s of persistentvolume %s, whose reclaim policy is Retain: its data is gone", n.Name, p, name)
			}
		}
	}
	return nil
}

// machines checks what the live machines run: no ReadWriteOnce volume
// mounted by running pods on two nodes, and every StatefulSet ordinal's
// running pod finding the files its predecessors left in its volumes.
func (s *storageCheck) machines() error {
	rwo, data := s.enabled("rwo-single-node"), s.enabled("statefulset-data")
	if !rwo && !data {
		return nil
	}
	usedOn := map[string]string{} // volume name -> "node (pod uid)" using it
	for _, n := range s.c.Nodes {
		if !n.Machine.Up() || n.Runtime == nil {
			continue
		}
		seen := map[string]bool{}
		for _, ctr := range n.Runtime.Running() {
			uid := ctr.Labels[kubelet.LabelPodUID]
			if seen[uid] {
				continue
			}
			seen[uid] = true
			disks := n.Runtime.PodDisks(uid)
			for _, vol := range sortedKeys(disks) {
				dir := disks[vol]
				name := s.byPath[n.Name+":"+dir]
				v := s.volumes[name]
				if rwo && v != nil && v.rwo {
					if other, ok := usedOn[name]; ok && !strings.HasPrefix(other, n.Name+" ") {
						return fmt.Errorf("rwo-single-node: ReadWriteOnce persistentvolume %s is used by running pods on two nodes: %s and %s (pod uid %s)", name, other, n.Name, uid)
					}
					usedOn[name] = fmt.Sprintf("%s (pod uid %s)", n.Name, uid)
				}
				if data {
					if err := s.ordinalData(n.Name, ctr.Labels[kubelet.LabelPodNamespace], ctr.Labels[kubelet.LabelPodName], uid, vol, dir); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// ordinalData checks one volume of a running pod: if the pod is a
// StatefulSet ordinal, every file a predecessor of the ordinal left in
// that volume must be there, the same incarnation.
func (s *storageCheck) ordinalData(node, ns, pod, uid, vol, dir string) error {
	set, ord, ok := s.ordinals.ordinal(ns, pod)
	if !ok {
		return nil
	}
	key := fmt.Sprintf("%s/%s ordinal %d volume %s", ns, set, ord, vol)
	known := s.data[key]
	if known == nil {
		known = map[string]fileFacts{}
		s.data[key] = known
	}
	disk := s.c.Node(node).Disk
	for _, file := range sortedKeys(known) {
		was := known[file]
		if was.writer == uid {
			continue // its own: judged when a replacement comes
		}
		_, inc, ok := disk.File(dir, file)
		switch {
		case !ok:
			return fmt.Errorf("statefulset-data: %s: pod %s (uid %s) on %s runs without file %s that its predecessor (uid %s, on %s) left: the data is lost",
				key, pod, uid, node, file, was.writer, was.node)
		case inc != was.incarnation:
			return fmt.Errorf("statefulset-data: %s: pod %s (uid %s) on %s finds file %s written anew (incarnation %d), not what its predecessor (uid %s, on %s) left (incarnation %d): the data was lost",
				key, pod, uid, node, file, inc, was.writer, was.node, was.incarnation)
		}
	}
	// What is there now is what the next pod of the ordinal must find;
	// this pod, running, is its keeper.
	for _, file := range disk.Files(dir) {
		_, inc, _ := disk.File(dir, file)
		known[file] = fileFacts{incarnation: inc, writer: uid, node: node}
	}
	return nil
}

// claimsLive: every claim a live, schedulable pod names is Bound. It
// lists the claims only when some pod names one.
func (c *Cluster) claimsLive(v *liveView) error {
	var want []string // namespace/name of the claims of live pods that fit somewhere
	for _, p := range v.pods {
		if p.DeletionTimestamp != nil || api.IsPodTerminal(p) || (p.Spec.NodeName == "" && !fitsSomewhere(p, v.nodes, v.pods)) {
			continue
		}
		for _, vol := range p.Spec.Volumes {
			if vol.PersistentVolumeClaim != nil {
				want = append(want, p.Namespace+"/"+vol.PersistentVolumeClaim.ClaimName+" of pod "+p.Name)
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	claims, err := client.For[*api.PersistentVolumeClaim](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return err
	}
	phase := map[string]*api.PersistentVolumeClaim{}
	for _, cl := range claims.Items {
		phase[cl.Namespace+"/"+cl.Name] = cl
	}
	sort.Strings(want)
	for _, w := range want {
		key, pod, _ := strings.Cut(w, " of pod ")
		cl := phase[key]
		switch {
		case cl == nil:
			return fmt.Errorf("claim %s of pod %s does not exist", key, pod)
		case cl.Status.Phase != api.ClaimBound || cl.Spec.VolumeName == "":
			return fmt.Errorf("claim %s of pod %s is %s, not Bound (volume %q)", key, pod, cl.Status.Phase, cl.Spec.VolumeName)
		}
	}
	return nil
}

// sortedKeys returns m's keys in order, for a deterministic first report.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
