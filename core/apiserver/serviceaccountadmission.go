package apiserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
)

// The ServiceAccount admission plugin gives every new pod an identity and
// the means to prove it: the pod runs as a ServiceAccount of its
// namespace ("default" unless it names one, and the account must exist),
// and unless it or its account opts out it gets a projected volume
// holding a token of that account bound to the pod, the cluster's CA
// certificate and its namespace, mounted where client libraries look:
//
//	/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}
//
// client-go's in-cluster config reads exactly these three files.

// The ServiceAccount volume (the names it shares with the controllers and
// the kubelet are in core/auth/serviceaccount).
const (
	ServiceAccountMountPath  = serviceaccount.MountPath
	serviceAccountVolumePfx  = "kube-api-access-"
	projectedTokenSeconds    = 3607 // Kubernetes' odd number, so its tokens are recognisable
	serviceAccountVolumeMode = 0644
)

// mirrorPodAnnotation marks a static pod's mirror: it runs from a file on
// its node, not from the API, and gets no ServiceAccount.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// admitServiceAccount is the plugin: on a pod's CREATE only, and only on
// a server with ServiceAccount keys (without them there are no tokens to
// mount, and pods are left as written). It refuses a pod whose account
// does not exist with 403, worded as Kubernetes words it.
func admitServiceAccount(s *Server, ctx context.Context, r *admissionRequest) error {
	pod, isPod := r.obj.(*api.Pod)
	if !isPod || r.op != opCreate || r.subresource != "" || s.saKeys == nil {
		return nil
	}
	if _, mirror := pod.Annotations[mirrorPodAnnotation]; mirror {
		return nil
	}
	spec := &pod.Spec
	if spec.ServiceAccountName == "" {
		spec.ServiceAccountName = spec.DeprecatedServiceAccount
	}
	if spec.ServiceAccountName == "" {
		spec.ServiceAccountName = serviceaccount.DefaultAccount
	}
	spec.DeprecatedServiceAccount = spec.ServiceAccountName
	saRes := api.ResourceByPlural("", "serviceaccounts")
	obj, _, err := s.read(ctx, saRes, pod.Namespace, spec.ServiceAccountName)
	if api.IsNotFound(err) {
		return errForbidden(r.res, pod.Name, fmt.Sprintf("error looking up service account %s/%s: serviceaccount %q not found",
			pod.Namespace, spec.ServiceAccountName, spec.ServiceAccountName))
	}
	if err != nil {
		return err
	}
	sa := obj.(*api.ServiceAccount)
	automount := spec.AutomountServiceAccountToken
	if automount == nil {
		automount = sa.AutomountServiceAccountToken
	}
	if automount != nil && !*automount {
		return nil
	}
	mountServiceAccountToken(spec, serviceAccountVolumePfx+s.generatedSuffix())
	return nil
}

// mountServiceAccountToken mounts the ServiceAccount volume, named name,
// read-only at ServiceAccountMountPath in every container and init
// container that has nothing mounted there yet, and adds the volume if
// any container got the mount. A container that mounts something of its
// own there keeps it: the pod's author knows better.
func mountServiceAccountToken(spec *api.PodSpec, name string) {
	mounted := false
	for _, list := range [][]api.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			c := &list[i]
			if hasMountAt(c, ServiceAccountMountPath) {
				continue
			}
			c.VolumeMounts = append(c.VolumeMounts, api.VolumeMount{Name: name, MountPath: ServiceAccountMountPath, ReadOnly: true})
			mounted = true
		}
	}
	if mounted {
		spec.Volumes = append(spec.Volumes, serviceAccountVolume(name))
	}
}

// hasMountAt reports whether c mounts anything at path.
func hasMountAt(c *api.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if strings.TrimSuffix(m.MountPath, "/") == path {
			return true
		}
	}
	return false
}

// serviceAccountVolume is the projected volume the plugin adds: a token of
// the pod's account bound to the pod (the kubelet requests and renews
// it), the cluster CA from the namespace's kube-root-ca.crt ConfigMap,
// and the namespace from the downward API. The volume is complete and
// defaulted, since admission runs after defaulting.
func serviceAccountVolume(name string) api.Volume {
	mode := int32(serviceAccountVolumeMode)
	seconds := int64(projectedTokenSeconds)
	return api.Volume{Name: name, VolumeSource: api.VolumeSource{Projected: &api.ProjectedVolumeSource{
		DefaultMode: &mode,
		Sources: []api.VolumeProjection{
			{ServiceAccountToken: &api.ServiceAccountTokenProjection{ExpirationSeconds: &seconds, Path: "token"}},
			{ConfigMap: &api.ConfigMapProjection{Name: serviceaccount.RootCAConfigMap, Items: []api.KeyToPath{{Key: serviceaccount.RootCAKey, Path: serviceaccount.RootCAKey}}}},
			{DownwardAPI: &api.DownwardAPIProjection{Items: []api.DownwardAPIVolumeFile{
				{Path: "namespace", FieldRef: &api.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}},
			}}},
		},
	}}}
}
