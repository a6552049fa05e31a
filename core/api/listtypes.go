package api

import "reflect"

// ListType is how a list field of an object merges when several writers
// own parts of it (server-side apply) and how OpenAPI describes it
// (x-kubernetes-list-type): "atomic" lists are one value, replaced whole;
// "set" lists are sets of scalars, each owned on its own; "map" lists are
// keyed by Keys, each item owned on its own.
type ListType struct {
	Type string   // "atomic", "set" or "map"
	Keys []string // of a "map" list
}

// listTypes holds the list types Kubernetes declares (+listType and
// +listMapKey markers in k8s.io/api) for the list fields tinykube has, by
// "GoType.jsonField". These are facts about Kubernetes' API that the
// patchStrategy and patchMergeKey tags do not carry (container ports are
// keyed by port and protocol); a list field not listed is atomic, as it is
// in Kubernetes.
var listTypes = map[string]ListType{
	"PodSpec.containers":                   {"map", []string{"name"}},
	"PodSpec.initContainers":               {"map", []string{"name"}},
	"PodSpec.volumes":                      {"map", []string{"name"}},
	"PodSpec.tolerations":                  {"atomic", nil},
	"Container.ports":                      {"map", []string{"containerPort", "protocol"}},
	"Container.env":                        {"map", []string{"name"}},
	"Container.volumeMounts":               {"map", []string{"mountPath"}},
	"Container.envFrom":                    {"atomic", nil},
	"Container.command":                    {"atomic", nil},
	"Container.args":                       {"atomic", nil},
	"PodStatus.conditions":                 {"map", []string{"type"}},
	"PodStatus.podIPs":                     {"map", []string{"ip"}},
	"PodStatus.containerStatuses":          {"atomic", nil},
	"ObjectMeta.ownerReferences":           {"map", []string{"uid"}},
	"ObjectMeta.finalizers":                {"set", nil},
	"ServiceSpec.ports":                    {"map", []string{"port", "protocol"}},
	"ServiceSpec.clusterIPs":               {"atomic", nil},
	"ServiceSpec.externalIPs":              {"atomic", nil},
	"ServiceAccount.secrets":               {"map", []string{"name"}},
	"NodeSpec.taints":                      {"atomic", nil},
	"NodeSpec.podCIDRs":                    {"set", nil},
	"NodeStatus.conditions":                {"map", []string{"type"}},
	"NodeStatus.addresses":                 {"map", []string{"type"}},
	"DeploymentStatus.conditions":          {"map", []string{"type"}},
	"ReplicaSetStatus.conditions":          {"map", []string{"type"}},
	"StatefulSetStatus.conditions":         {"map", []string{"type"}},
	"DaemonSetStatus.conditions":           {"map", []string{"type"}},
	"JobStatus.conditions":                 {"atomic", nil},
	"PodDisruptionBudgetStatus.conditions": {"map", []string{"type"}},
	"Endpoints.subsets":                    {"atomic", nil},
	"LabelSelector.matchExpressions":       {"atomic", nil},
	"LabelSelectorRequirement.values":      {"atomic", nil},
	"NodeSelector.nodeSelectorTerms":       {"atomic", nil},
	"NamespaceSpec.finalizers":             {"atomic", nil},
	"NamespaceStatus.conditions":           {"map", []string{"type"}},
}

// ListTypeOf returns the list type of the list field jsonField of the
// struct type owner, and whether Kubernetes declares one (otherwise the
// list is atomic).
func ListTypeOf(owner reflect.Type, jsonField string) (ListType, bool) {
	lt, ok := listTypes[owner.Name()+"."+jsonField]
	if !ok {
		return ListType{Type: "atomic"}, false
	}
	return lt, true
}

// atomicStructs are the struct types Kubernetes declares atomic
// (+structType=atomic): a writer owns such a value whole, so two writers
// cannot each own half of a label selector or a key reference.
var atomicStructs = map[string]bool{
	"LabelSelector":         true,
	"OwnerReference":        true,
	"ObjectReference":       true,
	"LocalObjectReference":  true,
	"NodeSelector":          true,
	"NodeSelectorTerm":      true,
	"ConfigMapKeySelector":  true,
	"SecretKeySelector":     true,
	"ObjectFieldSelector":   true,
	"ResourceFieldSelector": true,
	"EndpointAddress":       true,
	"EndpointPort":          true,
}

// IsAtomicStruct reports whether a struct type of core/api is owned whole.
func IsAtomicStruct(t reflect.Type) bool {
	return t.PkgPath() == reflect.TypeOf(ObjectMeta{}).PkgPath() && atomicStructs[t.Name()]
}
