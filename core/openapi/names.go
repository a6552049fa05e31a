package openapi

import (
	"reflect"

	"github.com/tinykube/tinykube/core/api"
)

// The Kubernetes Go packages whose paths name definitions.
const (
	pkgCore   = "io.k8s.api.core.v1"
	pkgMeta   = "io.k8s.apimachinery.pkg.apis.meta.v1"
	pkgQty    = "io.k8s.apimachinery.pkg.api.resource"
	pkgIntstr = "io.k8s.apimachinery.pkg.util.intstr"
)

// groupPackage returns the Kubernetes package of an API group's version:
// io.k8s.api.core.v1, io.k8s.api.apps.v1, io.k8s.api.coordination.v1.
func groupPackage(group, version string) string {
	if pkg, ok := groupPackages[group]; ok {
		return pkg + "." + version
	}
	if group == "" {
		return "io.k8s.api.core." + version
	}
	short := group
	for i := 0; i < len(group); i++ {
		if group[i] == '.' {
			short = group[:i]
			break
		}
	}
	return "io.k8s.api." + short + "." + version
}

// groupPackages are the API groups whose Go types live outside k8s.io/api.
var groupPackages = map[string]string{
	api.APIExtensionsGroup: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
}

// typePackage places the types that Kubernetes keeps in another package
// than the group of the kind that first reaches them (apimachinery's meta
// types, PodTemplateSpec, which apps and batch kinds embed but core/v1
// declares). Every other type lives in the package of the first kind of the
// resource table that reaches it.
var typePackage = map[reflect.Type]string{
	// Shared by autoscaling/v1 and v2 autoscalers (v1 comes first in the
	// table); named where the stored version declares it.
	reflect.TypeFor[api.CrossVersionObjectReference](): "io.k8s.api.autoscaling.v2",
	reflect.TypeFor[api.ObjectMeta]():                  pkgMeta,
	reflect.TypeFor[api.ListMeta]():                    pkgMeta,
	reflect.TypeFor[api.OwnerReference]():              pkgMeta,
	reflect.TypeFor[api.Time]():                        pkgMeta,
	reflect.TypeFor[api.MicroTime]():                   pkgMeta,
	reflect.TypeFor[api.LabelSelector]():               pkgMeta,
	reflect.TypeFor[api.LabelSelectorRequirement]():    pkgMeta,
	reflect.TypeFor[api.Status]():                      pkgMeta,
	reflect.TypeFor[api.StatusDetails]():               pkgMeta,
	reflect.TypeFor[api.StatusCause]():                 pkgMeta,
	reflect.TypeFor[api.Quantity]():                    pkgQty,
	reflect.TypeFor[api.IntOrString]():                 pkgIntstr,
	reflect.TypeFor[api.PodTemplateSpec]():             pkgCore,
	// The scale subresource's object, which custom resources with a scale
	// subresource answer with.
	reflect.TypeFor[api.Scale]():       "io.k8s.api.autoscaling.v1",
	reflect.TypeFor[api.ScaleSpec]():   "io.k8s.api.autoscaling.v1",
	reflect.TypeFor[api.ScaleStatus](): "io.k8s.api.autoscaling.v1",
}

var typeOfStatus = reflect.TypeFor[api.Status]()

// typeOf returns the struct type of a resource's objects.
func typeOf(r *api.Resource) reflect.Type { return reflect.TypeOf(r.New()).Elem() }

// typeNames are the Go types whose name is not Kubernetes': those of a
// version served by conversion, which Kubernetes declares under the
// kind's own name in that version's package.
var typeNames = map[reflect.Type]string{
	reflect.TypeFor[api.HorizontalPodAutoscalerV1]():       "HorizontalPodAutoscaler",
	reflect.TypeFor[api.HorizontalPodAutoscalerSpecV1]():   "HorizontalPodAutoscalerSpec",
	reflect.TypeFor[api.HorizontalPodAutoscalerStatusV1](): "HorizontalPodAutoscalerStatus",
}
