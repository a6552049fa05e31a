package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// Resource describes one kind the API serves: where it lives in the URL
// space, whether it is namespaced, and how to make an empty one.
type Resource struct {
	Group      string   // "" for the core group, "apps", "coordination.k8s.io"
	Version    string   // "v1"
	Kind       string   // "Pod"
	Plural     string   // "pods": the URL path segment
	Singular   string   // "pod"
	ShortNames []string // "po"
	Namespaced bool
	// HasStatus means status is a subresource: updates of the object ignore
	// status changes and updates of /status ignore everything else.
	HasStatus bool
	// Virtual kinds are questions, not state: a client creates one (a
	// TokenReview, a SubjectAccessReview) and gets the answer back in its
	// status; nothing is stored, and create is the only verb.
	Virtual bool
	New     func() Object
	// Custom is set for a resource a CustomResourceDefinition defines
	// (see ResourcesFromCRD); nil for the built-in kinds.
	Custom *CustomResource
	// Storage is set on a built-in kind served at a second version: the
	// resource (the same kind at another version) its objects are stored
	// as. The API server turns every object of this version into the
	// storage version's with ToStorage before it writes, and every stored
	// object back with FromStorage when it reads, so that both versions
	// share one store prefix and every write through one is seen through
	// the other. nil for the kinds stored as served.
	Storage     *Resource
	ToStorage   func(Object) Object
	FromStorage func(Object) Object
}

// CustomResource is what the API server needs to serve one version of a
// custom resource beyond what Resource says.
type CustomResource struct {
	// Definition is the CRD as stored. It is shared: read it, never
	// change it.
	Definition *CustomResourceDefinition
	// Version is the served version this Resource is, an element of
	// Definition.Spec.Versions.
	Version *CustomResourceDefinitionVersion
}

// StoragePrefix returns the store prefix under which every object of the
// resource is kept ("/registry/pods/"). A custom resource's includes its
// group ("/registry/example.com/widgets/"), so that it can never share a
// prefix with a built-in kind of the same plural; all versions of one
// custom resource share it.
func (r *Resource) StoragePrefix() string {
	if r.Custom != nil {
		return "/registry/" + r.Group + "/" + r.Plural + "/"
	}
	return "/registry/" + r.Plural + "/"
}

// APIVersion returns "v1" for the core group and "group/version" otherwise.
func (r *Resource) APIVersion() string {
	if r.Group == "" {
		return r.Version
	}
	return r.Group + "/" + r.Version
}

// GroupResource returns "pods" or "deployments.apps", as Kubernetes names a
// resource in messages.
func (r *Resource) GroupResource() string {
	if r.Group == "" {
		return r.Plural
	}
	return r.Plural + "." + r.Group
}

// resources is the table of every kind tinykube serves. Adding a kind means
// adding its type and one line here.
var resources = []*Resource{
	{Version: "v1", Kind: "Namespace", Plural: "namespaces", Singular: "namespace", ShortNames: []string{"ns"}, HasStatus: true, New: func() Object { return &Namespace{} }},
	{Version: "v1", Kind: "Node", Plural: "nodes", Singular: "node", ShortNames: []string{"no"}, HasStatus: true, New: func() Object { return &Node{} }},
	{Version: "v1", Kind: "Pod", Plural: "pods", Singular: "pod", ShortNames: []string{"po"}, Namespaced: true, HasStatus: true, New: func() Object { return &Pod{} }},
	{Version: "v1", Kind: "Service", Plural: "services", Singular: "service", ShortNames: []string{"svc"}, Namespaced: true, HasStatus: true, New: func() Object { return &Service{} }},
	{Version: "v1", Kind: "Endpoints", Plural: "endpoints", Singular: "endpoints", ShortNames: []string{"ep"}, Namespaced: true, New: func() Object { return &Endpoints{} }},
	{Version: "v1", Kind: "Event", Plural: "events", Singular: "event", ShortNames: []string{"ev"}, Namespaced: true, New: func() Object { return &Event{} }},
	{Version: "v1", Kind: "ConfigMap", Plural: "configmaps", Singular: "configmap", ShortNames: []string{"cm"}, Namespaced: true, New: func() Object { return &ConfigMap{} }},
	{Version: "v1", Kind: "Secret", Plural: "secrets", Singular: "secret", Namespaced: true, New: func() Object { return &Secret{} }},
	{Version: "v1", Kind: "ServiceAccount", Plural: "serviceaccounts", Singular: "serviceaccount", ShortNames: []string{"sa"}, Namespaced: true, New: func() Object { return &ServiceAccount{} }},
	{Version: "v1", Kind: "PersistentVolumeClaim", Plural: "persistentvolumeclaims", Singular: "persistentvolumeclaim", ShortNames: []string{"pvc"}, Namespaced: true, HasStatus: true, New: func() Object { return &PersistentVolumeClaim{} }},
	{Version: "v1", Kind: "PersistentVolume", Plural: "persistentvolumes", Singular: "persistentvolume", ShortNames: []string{"pv"}, HasStatus: true, New: func() Object { return &PersistentVolume{} }},
	{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass", Plural: "storageclasses", Singular: "storageclass", ShortNames: []string{"sc"}, New: func() Object { return &StorageClass{} }},
	{Group: "apps", Version: "v1", Kind: "ReplicaSet", Plural: "replicasets", Singular: "replicaset", ShortNames: []string{"rs"}, Namespaced: true, HasStatus: true, New: func() Object { return &ReplicaSet{} }},
	{Group: "apps", Version: "v1", Kind: "Deployment", Plural: "deployments", Singular: "deployment", ShortNames: []string{"deploy"}, Namespaced: true, HasStatus: true, New: func() Object { return &Deployment{} }},
	{Group: "apps", Version: "v1", Kind: "StatefulSet", Plural: "statefulsets", Singular: "statefulset", ShortNames: []string{"sts"}, Namespaced: true, HasStatus: true, New: func() Object { return &StatefulSet{} }},
	{Group: "apps", Version: "v1", Kind: "DaemonSet", Plural: "daemonsets", Singular: "daemonset", ShortNames: []string{"ds"}, Namespaced: true, HasStatus: true, New: func() Object { return &DaemonSet{} }},
	{Group: "batch", Version: "v1", Kind: "Job", Plural: "jobs", Singular: "job", Namespaced: true, HasStatus: true, New: func() Object { return &Job{} }},
	{Group: "batch", Version: "v1", Kind: "CronJob", Plural: "cronjobs", Singular: "cronjob", ShortNames: []string{"cj"}, Namespaced: true, HasStatus: true, New: func() Object { return &CronJob{} }},
	hpaV2,
	{Group: "autoscaling", Version: "v1", Kind: "HorizontalPodAutoscaler", Plural: "horizontalpodautoscalers", Singular: "horizontalpodautoscaler", ShortNames: []string{"hpa"}, Namespaced: true, HasStatus: true, New: func() Object { return &HorizontalPodAutoscalerV1{} },
		Storage: hpaV2, ToStorage: hpaToStorage, FromStorage: hpaFromStorage},
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget", Plural: "poddisruptionbudgets", Singular: "poddisruptionbudget", ShortNames: []string{"pdb"}, Namespaced: true, HasStatus: true, New: func() Object { return &PodDisruptionBudget{} }},
	{Group: "coordination.k8s.io", Version: "v1", Kind: "Lease", Plural: "leases", Singular: "lease", Namespaced: true, New: func() Object { return &Lease{} }},
	{Group: RBACGroup, Version: "v1", Kind: "Role", Plural: "roles", Singular: "role", Namespaced: true, New: func() Object { return &Role{} }},
	{Group: RBACGroup, Version: "v1", Kind: "ClusterRole", Plural: "clusterroles", Singular: "clusterrole", New: func() Object { return &ClusterRole{} }},
	{Group: RBACGroup, Version: "v1", Kind: "RoleBinding", Plural: "rolebindings", Singular: "rolebinding", Namespaced: true, New: func() Object { return &RoleBinding{} }},
	{Group: RBACGroup, Version: "v1", Kind: "ClusterRoleBinding", Plural: "clusterrolebindings", Singular: "clusterrolebinding", New: func() Object { return &ClusterRoleBinding{} }},
	{Group: "certificates.k8s.io", Version: "v1", Kind: "CertificateSigningRequest", Plural: "certificatesigningrequests", Singular: "certificatesigningrequest", ShortNames: []string{"csr"}, HasStatus: true, New: func() Object { return &CertificateSigningRequest{} }},
	{Group: APIExtensionsGroup, Version: "v1", Kind: "CustomResourceDefinition", Plural: "customresourcedefinitions", Singular: "customresourcedefinition", ShortNames: []string{"crd", "crds"}, HasStatus: true, New: func() Object { return &CustomResourceDefinition{} }},
	{Group: "authentication.k8s.io", Version: "v1", Kind: "TokenReview", Plural: "tokenreviews", Singular: "tokenreview", Virtual: true, New: func() Object { return &TokenReview{} }},
	{Group: "authentication.k8s.io", Version: "v1", Kind: "SelfSubjectReview", Plural: "selfsubjectreviews", Singular: "selfsubjectreview", Virtual: true, New: func() Object { return &SelfSubjectReview{} }},
	{Group: "authorization.k8s.io", Version: "v1", Kind: "SubjectAccessReview", Plural: "subjectaccessreviews", Singular: "subjectaccessreview", Virtual: true, New: func() Object { return &SubjectAccessReview{} }},
	{Group: "authorization.k8s.io", Version: "v1", Kind: "SelfSubjectAccessReview", Plural: "selfsubjectaccessreviews", Singular: "selfsubjectaccessreview", Virtual: true, New: func() Object { return &SelfSubjectAccessReview{} }},
	{Group: "authorization.k8s.io", Version: "v1", Kind: "LocalSubjectAccessReview", Plural: "localsubjectaccessreviews", Singular: "localsubjectaccessreview", Namespaced: true, Virtual: true, New: func() Object { return &LocalSubjectAccessReview{} }},
	{Group: "authorization.k8s.io", Version: "v1", Kind: "SelfSubjectRulesReview", Plural: "selfsubjectrulesreviews", Singular: "selfsubjectrulesreview", Virtual: true, New: func() Object { return &SelfSubjectRulesReview{} }},
}

// hpaV2 is the autoscaler at autoscaling/v2, the version it is stored as;
// autoscaling/v1 serves the same objects through conversion.
var hpaV2 = &Resource{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler", Plural: "horizontalpodautoscalers", Singular: "horizontalpodautoscaler", ShortNames: []string{"hpa"}, Namespaced: true, HasStatus: true, New: func() Object { return &HorizontalPodAutoscaler{} }}

// hpaToStorage converts an autoscaling/v1 autoscaler to the stored form
// and defaults it as autoscaling/v2 defaults (Kubernetes applies the v2
// defaults when it reads the object back from storage; tinykube stores
// them).
func hpaToStorage(o Object) Object {
	h := HorizontalPodAutoscalerToV2(o.(*HorizontalPodAutoscalerV1))
	Default(h)
	return h
}

// hpaFromStorage converts a stored autoscaler to autoscaling/v1.
func hpaFromStorage(o Object) Object {
	return HorizontalPodAutoscalerToV1(o.(*HorizontalPodAutoscaler))
}

// categories names the kinds in each category, by group and kind, as
// Kubernetes groups them: "kubectl get all" lists the category "all".
var categories = map[string][]string{
	"all": {"Pod", "Service", "apps/Deployment", "apps/ReplicaSet", "apps/StatefulSet", "apps/DaemonSet", "batch/Job", "batch/CronJob"},
}

// Categories returns the categories r belongs to, sorted.
func (r *Resource) Categories() []string {
	if r.Custom != nil {
		out := append([]string(nil), r.Custom.Definition.Spec.Names.Categories...)
		sort.Strings(out)
		return out
	}
	gk := r.Kind
	if r.Group != "" {
		gk = r.Group + "/" + r.Kind
	}
	var out []string
	for c, kinds := range categories {
		for _, k := range kinds {
			if k == gk {
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Resources returns every built-in resource at the version it is stored
// as (one Resource per kind, not the versions served by conversion, see
// Resource.Storage), ordered by group then plural.
func Resources() []*Resource {
	var out []*Resource
	for _, r := range builtin.All() {
		if r.Storage == nil {
			out = append(out, r)
		}
	}
	return out
}

// ResourceFor returns the built-in resource of an apiVersion and kind, or
// nil.
func ResourceFor(apiVersion, kind string) *Resource { return builtin.For(apiVersion, kind) }

// ResourceByPlural returns the built-in resource with this group and
// plural, or nil.
func ResourceByPlural(group, plural string) *Resource { return builtin.ByPlural(group, plural) }

// ResourceOf returns the resource of a typed object, or nil for a type that
// is not served.
func ResourceOf(obj Object) *Resource {
	return resourceByType[reflect.TypeOf(obj)]
}

// resourceByType maps each served Go type (*Pod …) to its resource; it is
// built once, as ResourceOf runs on every encode.
var resourceByType = func() map[reflect.Type]*Resource {
	m := map[reflect.Type]*Resource{}
	for _, r := range resources {
		m[reflect.TypeOf(r.New())] = r
	}
	return m
}()

// LookupResource resolves a built-in resource as a person names it on the
// command line (see ResourceSet.Lookup).
func LookupResource(name string) (*Resource, error) { return builtin.Lookup(name) }

// SetTypeMeta fills apiVersion and kind from the object's Go type.
func SetTypeMeta(obj Object) {
	if r := ResourceOf(obj); r != nil {
		tm := obj.GetTypeMeta()
		tm.APIVersion, tm.Kind = r.APIVersion(), r.Kind
	}
}

// DeepCopy returns an independent copy of obj. It goes through JSON, which
// is slower than generated copy functions but has no code to keep in step
// with the types; every field of every kind survives the round trip.
func DeepCopy[T Object](obj T) T {
	b, err := json.Marshal(obj)
	if err != nil {
		panic(fmt.Sprintf("api.DeepCopy: %T does not encode: %v", obj, err))
	}
	out := newLike(obj)
	if err := json.Unmarshal(b, out); err != nil {
		panic(fmt.Sprintf("api.DeepCopy: %T does not decode its own encoding: %v", obj, err))
	}
	return out
}
