package openapi

import "reflect"

// listType is how Kubernetes declares a list field's topology
// (x-kubernetes-list-type, and the keys of a "map" list).
type listType struct {
	typ  string   // "atomic", "set" or "map"
	keys []string // for "map"
}

// listTypes holds the list types Kubernetes declares (+listType and
// +listMapKey markers in k8s.io/api) for the list fields tinykube has, by
// "GoType.jsonField". These are facts about Kubernetes' API that tinykube's
// struct tags do not carry; a field not listed gets no list type, which
// means atomic to clients.
var listTypes = map[string]listType{
	"PodSpec.containers":              {"map", []string{"name"}},
	"PodSpec.initContainers":          {"map", []string{"name"}},
	"PodSpec.volumes":                 {"map", []string{"name"}},
	"PodSpec.tolerations":             {"atomic", nil},
	"Container.ports":                 {"map", []string{"containerPort", "protocol"}},
	"Container.env":                   {"map", []string{"name"}},
	"Container.volumeMounts":          {"map", []string{"mountPath"}},
	"Container.envFrom":               {"atomic", nil},
	"Container.command":               {"atomic", nil},
	"Container.args":                  {"atomic", nil},
	"PodStatus.conditions":            {"map", []string{"type"}},
	"PodStatus.podIPs":                {"map", []string{"ip"}},
	"PodStatus.containerStatuses":     {"atomic", nil},
	"ObjectMeta.ownerReferences":      {"map", []string{"uid"}},
	"ObjectMeta.finalizers":           {"set", nil},
	"ServiceSpec.ports":               {"map", []string{"port", "protocol"}},
	"ServiceSpec.clusterIPs":          {"atomic", nil},
	"ServiceSpec.externalIPs":         {"atomic", nil},
	"NodeSpec.taints":                 {"atomic", nil},
	"NodeStatus.conditions":           {"map", []string{"type"}},
	"NodeStatus.addresses":            {"map", []string{"type"}},
	"DeploymentStatus.conditions":     {"map", []string{"type"}},
	"ReplicaSetStatus.conditions":     {"map", []string{"type"}},
	"StatefulSetStatus.conditions":    {"map", []string{"type"}},
	"DaemonSetStatus.conditions":      {"map", []string{"type"}},
	"JobStatus.conditions":            {"atomic", nil},
	"Endpoints.subsets":               {"atomic", nil},
	"LabelSelector.matchExpressions":  {"atomic", nil},
	"LabelSelectorRequirement.values": {"atomic", nil},
	"NodeSelector.nodeSelectorTerms":  {"atomic", nil},
	"NamespaceSpec.finalizers":        {"atomic", nil},
	"NamespaceStatus.conditions":      {"map", []string{"type"}},
}

// addListExtensions sets the patch strategy and merge key from the field's
// struct tags (patchStrategy:"merge" patchMergeKey:"name", as k8s.io/api
// writes them) and the list type from listTypes.
func addListExtensions(s *Schema, owner reflect.Type, field string, tag reflect.StructTag) {
	s.PatchStrategy = tag.Get("patchStrategy")
	s.PatchMergeKey = tag.Get("patchMergeKey")
	if s.Type != "array" {
		return
	}
	if lt, ok := listTypes[owner.Name()+"."+field]; ok {
		s.ListType = lt.typ
		s.ListMapKeys = lt.keys
	}
}
