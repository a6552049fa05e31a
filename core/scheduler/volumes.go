package scheduler

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// The volume filter's reasons, as Kubernetes' VolumeBinding plugin words
// them.
const (
	ReasonUnboundImmediateClaims = "pod has unbound immediate PersistentVolumeClaims"
	ReasonVolumeNodeConflict     = "node(s) had volume node affinity conflict"
	ReasonVolumeNotExist         = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
)

// volumeNeeds is what a pod's claims ask of its node, worked out once per
// scheduling cycle from the informers: a reason no node can take the pod
// now (a claim missing, or unbound with Immediate binding), the volumes
// its bound claims hold (whose node affinity the node must match), and the
// claims that wait for their first consumer (to be told the chosen node).
type volumeNeeds struct {
	blocked string
	volumes []*api.PersistentVolume
	waiting []*api.PersistentVolumeClaim
}

func (s *Scheduler) volumeNeeds(pod *api.Pod) volumeNeeds {
	var v volumeNeeds
	for _, vol := range pod.Spec.Volumes {
		if vol.PersistentVolumeClaim == nil {
			continue
		}
		name := vol.PersistentVolumeClaim.ClaimName
		pvc, ok := s.claims.Get(pod.Namespace, name)
		switch {
		case !ok:
			v.blocked = fmt.Sprintf("persistentvolumeclaim %q not found", name)
			return v
		case pvc.DeletionTimestamp != nil:
			v.blocked = fmt.Sprintf("persistentvolumeclaim %q is being deleted", name)
			return v
		case pvc.Spec.VolumeName != "":
			pv, ok := s.volumes.Get("", pvc.Spec.VolumeName)
			if !ok {
				v.blocked = ReasonVolumeNotExist
				return v
			}
			v.volumes = append(v.volumes, pv)
		default:
			sc, _ := s.classes.Get("", api.ClaimClass(pvc))
			if api.BindingMode(sc) != api.BindingWaitForFirstConsumer {
				v.blocked = ReasonUnboundImmediateClaims
				return v
			}
			v.waiting = append(v.waiting, pvc)
		}
	}
	return v
}

// volumeFits reports whether every volume the pod's bound claims hold can
// be used from node n (a local volume only from its own node).
func (v *volumeNeeds) volumeFits(n *api.Node) bool {
	for _, pvc := range v.waiting {
		if sel := pvc.Annotations[api.AnnSelectedNode]; sel != "" && sel != n.Name {
			return false // its volume is being made there
		}
	}
	for _, pv := range v.volumes {
		if !api.VolumeUsableFrom(pv, n) {
			return false
		}
	}
	return true
}

// scheduleWithVolumes is Schedule behind the volume filter: nodes the
// pod's volumes refuse are counted under the volume reason and never
// offered to the choice.
func (s *Scheduler) scheduleWithVolumes(pod *api.Pod, nodes []*NodeInfo, needs *volumeNeeds) (string, *FitError) {
	if needs.blocked != "" {
		return "", &FitError{NumAllNodes: len(nodes), Reasons: map[string]int{needs.blocked: len(nodes)}}
	}
	usable := nodes
	refused := 0
	if len(needs.volumes) > 0 || len(needs.waiting) > 0 {
		usable = make([]*NodeInfo, 0, len(nodes))
		for _, n := range nodes {
			if needs.volumeFits(n.Node) {
				usable = append(usable, n)
			} else {
				refused++
			}
		}
	}
	node, fitErr := s.scheduleSampled(pod, usable)
	if fitErr == nil {
		return node, nil
	}
	if refused > 0 {
		if fitErr.Reasons == nil {
			fitErr.Reasons = map[string]int{}
		}
		fitErr.Reasons[ReasonVolumeNodeConflict] += refused
	}
	fitErr.NumAllNodes = len(nodes)
	return "", fitErr
}

// selectNode tells each claim waiting for its first consumer the node the
// pod goes to, before the pod is bound (Kubernetes' PreBind): the node's
// provisioner makes the volume there. A claim that already names a node
// keeps it.
func (s *Scheduler) selectNode(needs *volumeNeeds, node string) error {
	claims := client.For[*api.PersistentVolumeClaim](s.cfg.Client)
	for _, pvc := range needs.waiting {
		if pvc.Annotations[api.AnnSelectedNode] != "" {
			continue
		}
		next := api.DeepCopy(pvc)
		if next.Annotations == nil {
			next.Annotations = map[string]string{}
		}
		next.Annotations[api.AnnSelectedNode] = node
		if _, err := claims.Update(context.Background(), next, client.WriteOptions{}); err != nil {
			return err
		}
	}
	return nil
}
