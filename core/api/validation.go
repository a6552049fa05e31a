package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Validate checks obj as the API server does on create, after Default and
// after the server has filled metadata.namespace from the URL. It returns
// every failure, each with its JSON path, worded as Kubernetes words it;
// nil means valid.
//
// Fields that Default fills (restartPolicy, protocol, service type …) may
// also be left empty: Validate accepts empty as "the default". It checks
// only the object itself, never other objects (that a referenced ConfigMap
// exists is not its business), and never status, which the API server
// validates on /status writes alone.
func Validate(obj Object) FieldErrors {
	switch o := obj.(type) {
	case *Pod:
		return validatePod(o)
	case *ReplicaSet:
		return validateReplicaSet(o)
	case *Deployment:
		return validateDeployment(o)
	case *StatefulSet:
		return validateStatefulSet(o)
	case *DaemonSet:
		return validateDaemonSet(o)
	case *Job:
		return validateJob(o)
	case *CronJob:
		return validateCronJob(o)
	case *PersistentVolumeClaim:
		return validateClaim(o)
	case *PersistentVolume:
		return validatePersistentVolume(o)
	case *StorageClass:
		return validateStorageClass(o)
	case *Service:
		return validateService(o)
	case *Endpoints:
		return validateEndpoints(o)
	case *Node:
		return validateNode(o)
	case *Namespace:
		return validateNamespace(o)
	case *ConfigMap:
		return validateConfigMap(o)
	case *Secret:
		return validateSecret(o)
	case *ServiceAccount:
		return validateServiceAccount(o)
	case *Event:
		return validateEvent(o)
	case *Lease:
		return validateLease(o)
	case *PodDisruptionBudget:
		return validatePodDisruptionBudget(o)
	case *HorizontalPodAutoscaler:
		return validateHorizontalPodAutoscaler(o)
	case *HorizontalPodAutoscalerV1:
		return validateHorizontalPodAutoscalerV1(o)
	case *Role:
		return validateRole(o)
	case *ClusterRole:
		return validateClusterRole(o)
	case *RoleBinding:
		return validateRoleBinding(o)
	case *ClusterRoleBinding:
		return validateClusterRoleBinding(o)
	case *CertificateSigningRequest:
		return validateCertificateSigningRequest(o)
	}
	// A kind added to the registry but not here still gets its metadata
	// checked.
	r := ResourceOf(obj)
	return validateObjectMeta(obj.GetObjectMeta(), r == nil || r.Namespaced, IsDNS1123Subdomain, "metadata")
}

// nameFunc checks a name format, returning what is wrong with it.
type nameFunc func(string) []string

// Limits on metadata.
const (
	// TotalAnnotationSizeLimit bounds the summed length of annotation keys
	// and values.
	TotalAnnotationSizeLimit = 256 * 1024
)

// validateObjectMeta checks the metadata every stored object carries:
// name (or generateName) in the kind's format, namespace present exactly
// for namespaced kinds, labels, annotations, owner references, finalizers.
func validateObjectMeta(m *ObjectMeta, namespaced bool, nameFn nameFunc, p path) FieldErrors {
	var errs FieldErrors
	if m.GenerateName != "" {
		// The server appends five random characters from [a-z0-9]; check
		// the name that will result with a stand-in suffix.
		for _, msg := range nameFn(m.GenerateName + "x0x0x") {
			errs = append(errs, FieldInvalid(p.child("generateName").String(), m.GenerateName, msg))
		}
	}
	switch {
	case m.Name == "" && m.GenerateName == "":
		errs = append(errs, FieldRequired(p.child("name").String(), "name or generateName is required"))
	case m.Name != "":
		for _, msg := range nameFn(m.Name) {
			errs = append(errs, FieldInvalid(p.child("name").String(), m.Name, msg))
		}
	}
	if namespaced {
		if m.Namespace == "" {
			errs = append(errs, FieldRequired(p.child("namespace").String(), ""))
		} else {
			for _, msg := range IsDNS1123Label(m.Namespace) {
				errs = append(errs, FieldInvalid(p.child("namespace").String(), m.Namespace, msg))
			}
		}
	} else if m.Namespace != "" {
		errs = append(errs, FieldForbidden(p.child("namespace").String(), "not allowed on this type"))
	}
	if m.Generation < 0 {
		errs = append(errs, FieldInvalid(p.child("generation").String(), m.Generation, "must be greater than or equal to 0"))
	}
	errs = append(errs, validateLabels(m.Labels, p.child("labels"))...)
	errs = append(errs, validateAnnotations(m.Annotations, p.child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, p.child("ownerReferences"))...)
	errs = append(errs, validateFinalizers(m.Finalizers, p.child("finalizers"))...)
	return errs
}

// validateLabels checks label keys (qualified names) and values, reporting
// at the map's path as Kubernetes does.
func validateLabels(labels map[string]string, p path) FieldErrors {
	var errs FieldErrors
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		for _, msg := range IsQualifiedName(k) {
			errs = append(errs, FieldInvalid(p.String(), k, msg))
		}
		for _, msg := range IsValidLabelValue(labels[k]) {
			errs = append(errs, FieldInvalid(p.String(), labels[k], msg))
		}
	}
	return errs
}

// validateAnnotations checks annotation keys (qualified names, case
// ignored) and the total size.
func validateAnnotations(ann map[string]string, p path) FieldErrors {
	var errs FieldErrors
	total := 0
	for _, k := range slices.Sorted(maps.Keys(ann)) {
		for _, msg := range IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, FieldInvalid(p.String(), k, msg))
		}
		total += len(k) + len(ann[k])
	}
	if total > TotalAnnotationSizeLimit {
		errs = append(errs, FieldTooLong(p.String(), TotalAnnotationSizeLimit))
	}
	return errs
}

func validateOwnerReferences(refs []OwnerReference, p path) FieldErrors {
	var errs FieldErrors
	var controllers []string
	for i, r := range refs {
		ip := p.index(i)
		if r.APIVersion == "" || strings.HasSuffix(r.APIVersion, "/") {
			errs = append(errs, FieldInvalid(ip.child("apiVersion").String(), r.APIVersion, "version must not be empty"))
		}
		if r.Kind == "" {
			errs = append(errs, FieldInvalid(ip.child("kind").String(), r.Kind, "kind must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, FieldInvalid(ip.child("name").String(), r.Name, "name must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, FieldInvalid(ip.child("uid").String(), r.UID, "uid must not be empty"))
		}
		if r.Controller != nil && *r.Controller {
			controllers = append(controllers, r.Kind+"/"+r.Name)
		}
	}
	if len(controllers) > 1 {
		errs = append(errs, FieldInvalid(p.String(), controllers,
			fmt.Sprintf("Only one reference can have Controller set to true. Found \"true\" in references for %s", strings.Join(controllers, " and "))))
	}
	return errs
}

func validateFinalizers(fins []string, p path) FieldErrors {
	var errs FieldErrors
	seen := map[string]bool{}
	for i, f := range fins {
		for _, msg := range IsQualifiedName(f) {
			errs = append(errs, FieldInvalid(p.index(i).String(), f, msg))
		}
		seen[f] = true
	}
	if seen["orphan"] && seen["foregroundDeletion"] {
		errs = append(errs, FieldInvalid(p.String(), fins, "finalizer orphan and foregroundDeletion cannot be both set"))
	}
	return errs
}

// nonNegative reports v < 0 at p in Kubernetes' words.
func nonNegative(v int64, p path) FieldErrors {
	if v < 0 {
		return FieldErrors{FieldInvalid(p.String(), v, "must be greater than or equal to 0")}
	}
	return nil
}

// validateName reports each format failure of a reference to another
// object's name, such as a ConfigMap a volume projects.
func validateName(name string, fn nameFunc, p path) FieldErrors {
	var errs FieldErrors
	for _, msg := range fn(name) {
		errs = append(errs, FieldInvalid(p.String(), name, msg))
	}
	return errs
}

// oneOf reports whether s is among the allowed values.
func oneOf(s string, allowed ...string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}
