package localpath

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/loop"
)

// Event reasons, as Kubernetes' external provisioners write them.
const (
	ReasonProvisioning          = "Provisioning"
	ReasonProvisioningSucceeded = "ProvisioningSucceeded"
	ReasonProvisioningFailed    = "ProvisioningFailed"
	ReasonVolumeFailedDelete    = "VolumeFailedDelete"
)

// Config is what a node's provisioner needs from its world.
type Config struct {
	Loop     loop.Loop
	Client   *client.Client
	Recorder *client.Recorder
	NodeName string
	Storage  Storage
}

// Provisioner makes and deletes the local volumes of one node. It lives
// on one loop.
type Provisioner struct {
	cfg     Config
	claims  *client.Informer[*api.PersistentVolumeClaim]
	volumes *client.Informer[*api.PersistentVolume]
	classes *client.Informer[*api.StorageClass]
	queue   *client.Queue
}

// Start assembles a node's provisioner and starts it.
//
// Contract: called on cfg.Loop.
func Start(cfg Config) *Provisioner {
	if cfg.Recorder == nil {
		cfg.Recorder = client.NewRecorder(cfg.Loop, cfg.Client, api.LocalPathProvisioner+"_"+cfg.NodeName, cfg.NodeName)
	}
	p := &Provisioner{cfg: cfg}
	p.claims = client.NewInformer[*api.PersistentVolumeClaim](cfg.Loop, cfg.Client, "", client.ListOptions{})
	p.volumes = client.NewInformer[*api.PersistentVolume](cfg.Loop, cfg.Client, "", client.ListOptions{})
	p.classes = client.NewInformer[*api.StorageClass](cfg.Loop, cfg.Client, "", client.ListOptions{})
	p.queue = client.NewQueue(cfg.Loop, p.Reconcile)
	onClaim := func(c *api.PersistentVolumeClaim) {
		if p.mine(c) {
			p.queue.Add("claim/" + client.Key(c))
		}
	}
	p.claims.AddHandlers(client.Handlers[*api.PersistentVolumeClaim]{Add: onClaim, Update: func(_, c *api.PersistentVolumeClaim) { onClaim(c) }})
	onVolume := func(v *api.PersistentVolume) {
		if v.Annotations[api.AnnProvisionedBy] == api.LocalPathProvisioner {
			p.queue.Add("volume/" + v.Name)
		}
	}
	p.volumes.AddHandlers(client.Handlers[*api.PersistentVolume]{Add: onVolume, Update: func(_, v *api.PersistentVolume) { onVolume(v) }})
	p.classes.Start()
	p.volumes.Start()
	p.claims.Start()
	return p
}

// Stop stops the informers and drops queued work.
func (p *Provisioner) Stop() {
	p.queue.Stop()
	p.claims.Stop()
	p.volumes.Stop()
	p.classes.Stop()
}

// mine: a claim waiting for a volume from this provisioner on this node.
func (p *Provisioner) mine(c *api.PersistentVolumeClaim) bool {
	return c.Spec.VolumeName == "" && c.DeletionTimestamp == nil &&
		c.Annotations[api.AnnStorageProvisioner] == api.LocalPathProvisioner && c.Annotations[api.AnnSelectedNode] == p.cfg.NodeName
}

// VolumeName is the name of the volume provisioned for the claim of uid:
// one name per claim, so a retry after a lost answer finds the volume it
// made rather than making a second.
func VolumeName(claimUID string) string { return "pvc-" + claimUID }

// Reconcile provisions for a claim ("claim/ns/name") or reclaims a volume
// ("volume/name").
func (p *Provisioner) Reconcile(key string) error {
	if !p.claims.HasSynced() || !p.volumes.HasSynced() || !p.classes.HasSynced() {
		return fmt.Errorf("caches not loaded yet")
	}
	if name, ok := strings.CutPrefix(key, "volume/"); ok {
		return p.reclaim(name)
	}
	ns, name := client.SplitKey(strings.TrimPrefix(key, "claim/"))
	c, ok := p.claims.Get(ns, name)
	if !ok || !p.mine(c) {
		return nil
	}
	return p.provision(c)
}

// provision makes the directory, then the volume, reserved for the claim
// and tied to this node.
func (p *Provisioner) provision(c *api.PersistentVolumeClaim) error {
	name := VolumeName(c.UID)
	if _, ok := p.volumes.Get("", name); ok {
		return nil
	}
	sc, ok := p.classes.Get("", api.ClaimClass(c))
	if !ok || sc.Provisioner != api.LocalPathProvisioner {
		return nil
	}
	path, err := p.cfg.Storage.Create(name)
	if err != nil {
		p.cfg.Recorder.Eventf(c, client.EventWarning, ReasonProvisioningFailed, "failed to provision volume with StorageClass %q: %v", sc.Name, err)
		return err
	}
	reclaim := api.ReclaimDelete
	if sc.ReclaimPolicy != nil {
		reclaim = *sc.ReclaimPolicy
	}
	pv := &api.PersistentVolume{
		ObjectMeta: api.ObjectMeta{Name: name, Annotations: map[string]string{api.AnnProvisionedBy: api.LocalPathProvisioner}},
		Spec: api.PersistentVolumeSpec{
			Capacity:                      api.ResourceList{api.ResourceStorage: c.Spec.Resources.Requests[api.ResourceStorage]},
			PersistentVolumeSource:        api.PersistentVolumeSource{Local: &api.LocalVolumeSource{Path: path}},
			AccessModes:                   slices.Clone(c.Spec.AccessModes),
			ClaimRef:                      &api.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: c.Namespace, Name: c.Name, UID: c.UID, ResourceVersion: c.ResourceVersion},
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              sc.Name,
			VolumeMode:                    c.Spec.VolumeMode,
			NodeAffinity: &api.VolumeNodeAffinity{Required: &api.NodeSelector{NodeSelectorTerms: []api.NodeSelectorTerm{{
				MatchExpressions: []api.NodeSelectorRequirement{{Key: api.LabelHostname, Operator: "In", Values: []string{p.cfg.NodeName}}}}}}},
		},
	}
	_, err = client.For[*api.PersistentVolume](p.cfg.Client).Create(context.Background(), pv, client.WriteOptions{})
	if err != nil && !api.IsAlreadyExists(err) {
		p.cfg.Recorder.Eventf(c, client.EventWarning, ReasonProvisioningFailed, "failed to create PersistentVolume %q: %v", name, err)
		return err
	}
	p.cfg.Recorder.Eventf(c, client.EventNormal, ReasonProvisioningSucceeded, "Successfully provisioned volume %s at %s on node %s", name, path, p.cfg.NodeName)
	return nil
}

// reclaim removes a Released Delete volume of this node: the directory,
// then the volume object (only the one seen, by uid).
func (p *Provisioner) reclaim(name string) error {
	pv, ok := p.volumes.Get("", name)
	if !ok || pv.Status.Phase != api.VolumeReleased || pv.Spec.PersistentVolumeReclaimPolicy != api.ReclaimDelete ||
		pv.Annotations[api.AnnProvisionedBy] != api.LocalPathProvisioner || pv.Spec.Local == nil || !onNode(pv, p.cfg.NodeName) {
		return nil
	}
	if err := p.cfg.Storage.Delete(pv.Spec.Local.Path); err != nil {
		p.cfg.Recorder.Eventf(pv, client.EventWarning, ReasonVolumeFailedDelete, "failed to delete %s on node %s: %v", pv.Spec.Local.Path, p.cfg.NodeName, err)
		return err
	}
	_, err := client.For[*api.PersistentVolume](p.cfg.Client).Delete(context.Background(), "", name, client.DeleteOptions{UID: pv.UID})
	if api.IsNotFound(err) {
		return nil
	}
	return err
}

// onNode: the volume's node affinity names exactly this node.
func onNode(pv *api.PersistentVolume, node string) bool {
	a := pv.Spec.NodeAffinity
	if a == nil || a.Required == nil {
		return false
	}
	for _, t := range a.Required.NodeSelectorTerms {
		for _, r := range t.MatchExpressions {
			if r.Key == api.LabelHostname && r.Operator == "In" && slices.Equal(r.Values, []string{node}) {
				return true
			}
		}
	}
	return false
}
