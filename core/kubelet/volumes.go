package kubelet

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// ClaimResolver finds where a PersistentVolumeClaim's data lives on this
// node: the path of the local (or hostPath) PersistentVolume the claim is
// bound to. It is a seam so that the kubelet needs nothing of the volume
// kinds but this: whoever assembles the kubelet fills it from its caches.
type ClaimResolver interface {
	// ResolveClaim returns the volume of claim namespace/name, or an error
	// saying why it cannot be mounted yet (not found, not bound, a volume
	// of another node); the pod waits and tries again.
	ResolveClaim(namespace, claim string) (LocalVolume, error)
}

// Kubernetes' default mode of projected files: 0644, for ConfigMaps and
// Secrets alike.
const defaultFileMode int32 = 0o644

// mountRetry is how soon a pod whose volumes cannot be made is looked at
// again when no event will bring it back (a claim not yet bound).
const mountRetry = 5 * time.Second

// podVolumes turns the pod's spec.volumes into what a VolumeRuntime makes,
// computing the files of configMap, secret, downwardAPI and projected
// volumes. The error names the volume and what is missing, as Kubernetes'
// FailedMount events do. Callers have checked k.config.ready(pod).
func (k *Kubelet) podVolumes(pod *api.Pod) ([]PodVolume, error) {
	var out []PodVolume
	for _, v := range pod.Spec.Volumes {
		pv := PodVolume{Name: v.Name}
		var err error
		switch {
		case v.EmptyDir != nil:
			pv.EmptyDir = &EmptyDirVolume{Medium: v.EmptyDir.Medium}
			if v.EmptyDir.SizeLimit != nil {
				pv.EmptyDir.SizeLimitBytes = v.EmptyDir.SizeLimit.Value()
			}
		case v.HostPath != nil:
			pv.HostPath = &HostPathVolume{Path: v.HostPath.Path, Type: v.HostPath.Type}
		case v.ConfigMap != nil:
			s := v.ConfigMap
			pv.Files = &FilesVolume{Files: map[string]File{}}
			err = k.configMapFiles(pod, pv.Files, s.Name, s.Items, mode(s.DefaultMode, defaultFileMode), s.Optional)
		case v.Secret != nil:
			s := v.Secret
			pv.Files = &FilesVolume{Files: map[string]File{}, Secret: true}
			err = k.secretFiles(pod, pv.Files, s.SecretName, s.Items, mode(s.DefaultMode, defaultFileMode), s.Optional)
		case v.DownwardAPI != nil:
			pv.Files = &FilesVolume{Files: map[string]File{}}
			err = k.downwardFiles(pod, pv.Files, v.DownwardAPI.Items, mode(v.DownwardAPI.DefaultMode, defaultFileMode))
		case v.Projected != nil:
			pv.Files, err = k.projectedFiles(pod, v.Projected)
		case v.PersistentVolumeClaim != nil:
			var claims ClaimResolver = &k.claims
			if k.cfg.Claims != nil {
				claims = k.cfg.Claims
			}
			var lv LocalVolume
			lv, err = claims.ResolveClaim(pod.Namespace, v.PersistentVolumeClaim.ClaimName)
			pv.Local = &lv
		default:
			err = fmt.Errorf("no volume source this kubelet supports")
		}
		if err != nil {
			return nil, fmt.Errorf("MountVolume.SetUp failed for volume %q : %w", v.Name, err)
		}
		if sc := pod.Spec.SecurityContext; sc != nil && (pv.EmptyDir != nil || pv.Files != nil) {
			pv.FSGroup = clonePtr(sc.FSGroup)
		}
		out = append(out, pv)
	}
	return out, nil
}

func mode(m *int32, def int32) int32 {
	if m != nil {
		return *m
	}
	return def
}

// keyFiles writes data's keys to files: every key under its own name, or
// only items (each key to its path, with its mode). A key named by an item
// but absent from data is an error unless optional.
func keyFiles(files map[string]File, data map[string][]byte, items []api.KeyToPath, def int32, optional bool, what string) error {
	if len(items) == 0 {
		for _, key := range slices.Sorted(maps.Keys(data)) {
			files[key] = File{Data: data[key], Mode: def}
		}
		return nil
	}
	for _, it := range items {
		d, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return fmt.Errorf("%s references non-existent key: %s", what, it.Key)
		}
		files[it.Path] = File{Data: d, Mode: mode(it.Mode, def)}
	}
	return nil
}

// configMapFiles adds the files of ConfigMap name (data and binaryData).
func (k *Kubelet) configMapFiles(pod *api.Pod, fv *FilesVolume, name string, items []api.KeyToPath, def int32, optional *bool) error {
	cm, err := k.config.configMap(pod.Namespace, name)
	if api.IsNotFound(err) && isOptional(optional) {
		return nil
	}
	if err != nil {
		return err
	}
	data := map[string][]byte{}
	for key, v := range cm.Data {
		data[key] = []byte(v)
	}
	maps.Copy(data, cm.BinaryData)
	return keyFiles(fv.Files, data, items, def, isOptional(optional), "configmap "+pod.Namespace+"/"+name)
}

// secretFiles adds the files of Secret name.
func (k *Kubelet) secretFiles(pod *api.Pod, fv *FilesVolume, name string, items []api.KeyToPath, def int32, optional *bool) error {
	s, err := k.config.secret(pod.Namespace, name)
	if api.IsNotFound(err) && isOptional(optional) {
		return nil
	}
	if err != nil {
		return err
	}
	return keyFiles(fv.Files, s.Data, items, def, isOptional(optional), "secret "+pod.Namespace+"/"+name)
}

// downwardFiles adds the pod's fields as files.
func (k *Kubelet) downwardFiles(pod *api.Pod, fv *FilesVolume, items []api.DownwardAPIVolumeFile, def int32) error {
	for _, it := range items {
		var v string
		var err error
		switch {
		case it.FieldRef != nil:
			v, err = k.podField(pod, it.FieldRef.FieldPath, "")
		case it.ResourceFieldRef != nil:
			v, err = k.resourceField(pod, "", it.ResourceFieldRef)
		}
		if err != nil {
			return err
		}
		fv.Files[it.Path] = File{Data: []byte(v), Mode: mode(it.Mode, def)}
	}
	return nil
}

// projectedFiles merges a projected volume's sources into one set of
// files; a volume projecting any Secret or token is kept as a Secret's
// (tmpfs). A serviceAccountToken source is a token the kubelet requested
// for the pod (serviceAccountTokens.token), refreshed before it expires.
func (k *Kubelet) projectedFiles(pod *api.Pod, p *api.ProjectedVolumeSource) (*FilesVolume, error) {
	fv := &FilesVolume{Files: map[string]File{}}
	def := mode(p.DefaultMode, defaultFileMode)
	for _, s := range p.Sources {
		var err error
		switch {
		case s.ConfigMap != nil:
			err = k.configMapFiles(pod, fv, s.ConfigMap.Name, s.ConfigMap.Items, def, s.ConfigMap.Optional)
		case s.Secret != nil:
			fv.Secret = true
			err = k.secretFiles(pod, fv, s.Secret.Name, s.Secret.Items, def, s.Secret.Optional)
		case s.DownwardAPI != nil:
			err = k.downwardFiles(pod, fv, s.DownwardAPI.Items, def)
		case s.ServiceAccountToken != nil:
			// A token is a credential: kept off the disk like a Secret,
			// with the volume's mode (a token source has none of its own).
			fv.Secret = true
			var tok string
			if tok, err = k.tokens.token(pod, s.ServiceAccountToken); err == nil {
				fv.Files[s.ServiceAccountToken.Path] = File{Data: []byte(tok), Mode: def}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return fv, nil
}

// containerMounts turns a container's volumeMounts into the runtime's.
func containerMounts(c api.Container) []Mount {
	var out []Mount
	for _, m := range c.VolumeMounts {
		out = append(out, Mount{Volume: m.Name, ContainerPath: m.MountPath, SubPath: m.SubPath, ReadOnly: m.ReadOnly})
	}
	return out
}

// setupVolumes makes the pod's volumes on the node, when it has any and
// the runtime can make them: before the first container starts, and again
// on every sync, so that a changed ConfigMap reaches its files (the
// ConfigMap's informer brings the pod back to the queue). It reports
// whether the pod may go on: a pod whose volumes were never made waits
// (its containers show ContainerCreating, a FailedMount event says why);
// a pod whose volumes exist keeps them as they were and goes on running.
func (k *Kubelet) setupVolumes(pod *api.Pod, st *podState) bool {
	if len(pod.Spec.Volumes) == 0 {
		return true
	}
	vols, err := k.podVolumes(pod)
	if err == nil {
		if vr, ok := k.cfg.Runtime.(VolumeRuntime); ok {
			err = vr.SetupVolumes(pod.UID, vols)
		}
	}
	if errors.Is(err, errClaimsLoading) {
		k.queue.AddAfter(client.Key(pod), claimsLoadingRetry)
		return st.volumesReady
	}
	if err != nil {
		k.event(pod, client.EventWarning, "FailedMount", "%v", err)
		k.queue.AddAfter(client.Key(pod), mountRetry)
		return st.volumesReady
	}
	st.volumesReady = true
	return true
}

// teardownVolumes removes a pod's volumes from the node, if the runtime
// made any.
func (k *Kubelet) teardownVolumes(uid string) {
	if vr, ok := k.cfg.Runtime.(VolumeRuntime); ok {
		vr.TeardownVolumes(uid)
	}
}
