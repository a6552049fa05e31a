package mutants

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/localpath"
	"github.com/tinykube/tinykube/core/controller/manager"
	"github.com/tinykube/tinykube/core/controller/volumebinder"
)

// startGreedyBinder is the real binder with its matching step replaced
// by matchIgnoringClaimRef.
func startGreedyBinder(cfg manager.Config) manager.Running {
	c := volumebinder.New(volumebinder.Config{Loop: cfg.Loop, Client: cfg.Client, Recorder: cfg.Recorder, Match: matchIgnoringClaimRef})
	c.Start()
	return c
}

// matchIgnoringClaimRef is volumebinder.Match as a hurried reading of
// "the smallest volume that fits" would write it: a volume reserved for
// the claim still wins, but otherwise every volume that fits is a
// candidate, whoever holds it. The mistake: a volume's claimRef is the
// binding. Ignoring it hands a volume already bound to one claim to a
// second, and the binder's volume-first write then moves it over while the
// first claim still says Bound — two claims, one disk.
func matchIgnoringClaimRef(c *api.PersistentVolumeClaim, volumes []*api.PersistentVolume, node *api.Node) *api.PersistentVolume {
	var best *api.PersistentVolume
	for _, pv := range volumes {
		if ref := pv.Spec.ClaimRef; ref != nil && ref.UID == c.UID && volumebinder.Fits(c, pv, node) {
			return pv
		}
		if pv.DeletionTimestamp != nil || !volumebinder.Fits(c, pv, node) {
			continue
		}
		q, b := pv.Spec.Capacity[api.ResourceStorage], api.Quantity{}
		if best != nil {
			b = best.Spec.Capacity[api.ResourceStorage]
		}
		if best == nil || q.Cmp(b) < 0 || (q.Cmp(b) == 0 && pv.Name < best.Name) {
			best = pv
		}
	}
	return best
}

// sweepingProvisioner is a node's real local-path provisioner with a
// "disk space saver" bolted on: it also removes the directory of every
// Released volume of its node, Retain or not, as if Released meant
// unused. The mistake: Retain promises the data to an administrator, who
// decides; only Delete lets the provisioner remove it.
type sweepingProvisioner struct {
	real    *localpath.Provisioner
	volumes *client.Informer[*api.PersistentVolume]
}

func startSweepingProvisioner(cfg localpath.Config) Stopper {
	p := &sweepingProvisioner{real: localpath.Start(cfg)}
	p.volumes = client.NewInformer[*api.PersistentVolume](cfg.Loop, cfg.Client, "", client.ListOptions{})
	sweep := func(pv *api.PersistentVolume) {
		if pv.Status.Phase == api.VolumeReleased && pv.Spec.Local != nil && pv.Annotations[api.AnnProvisionedBy] == api.LocalPathProvisioner && onNode(pv, cfg.NodeName) {
			cfg.Storage.Delete(pv.Spec.Local.Path)
		}
	}
	p.volumes.AddHandlers(client.Handlers[*api.PersistentVolume]{Add: sweep, Update: func(_, pv *api.PersistentVolume) { sweep(pv) }})
	p.volumes.Start()
	return p
}

func (p *sweepingProvisioner) Stop() {
	p.volumes.Stop()
	p.real.Stop()
}

// onNode: the volume's node affinity names node.
func onNode(pv *api.PersistentVolume, node string) bool {
	if a := pv.Spec.NodeAffinity; a != nil && a.Required != nil {
		for _, t := range a.Required.NodeSelectorTerms {
			for _, r := range t.MatchExpressions {
				if r.Key == api.LabelHostname && len(r.Values) == 1 && r.Values[0] == node {
					return true
				}
			}
		}
	}
	return false
}
