package encryption

import (
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// GroupResource names a resource as an EncryptionConfiguration does:
// Resource "*" is every resource of Group, Group "*" every group.
type GroupResource struct {
	Group, Resource string
}

// ParseGroupResource splits "deployments.apps" into {apps, deployments}:
// everything after the first dot is the group, so "secrets" is
// {"", secrets}, "*." is every core resource and "*.*" everything.
func ParseGroupResource(s string) GroupResource {
	r, g, _ := strings.Cut(s, ".")
	return GroupResource{Group: g, Resource: r}
}

// String writes gr as a configuration would: "secrets", "*.", "*.apps".
func (gr GroupResource) String() string {
	if gr.Group == "" && gr.Resource != "*" {
		return gr.Resource
	}
	return gr.Resource + "." + gr.Group
}

// covers reports whether the wildcard gr includes other (and is not it).
func (gr GroupResource) covers(other GroupResource) bool {
	if gr == other {
		return false
	}
	if gr.Group == "*" && gr.Resource == "*" {
		return true
	}
	return gr.Resource == "*" && gr.Group == other.Group
}

// builtinGroups maps each built-in plural to its group: a built-in kind is
// stored under /registry/PLURAL/, without its group.
var builtinGroups = func() map[string]string {
	m := map[string]string{}
	for _, r := range api.Resources() {
		m[r.Plural] = r.Group
	}
	return m
}()

// GroupResourceOfKey tells which resource a store key belongs to:
// "/registry/secrets/ns/x" is {"", secrets}, "/registry/deployments/ns/x"
// {apps, deployments} (built-in kinds are kept under their plural alone),
// "/registry/example.com/widgets/ns/x" {example.com, widgets} (a custom
// resource's group has a dot). Other keys under /registry/ (the API
// server's allocations) count as core resources named by their first
// segment; ok is false outside /registry/.
func GroupResourceOfKey(key string) (gr GroupResource, ok bool) {
	rest, found := strings.CutPrefix(key, "/registry/")
	if !found {
		return GroupResource{}, false
	}
	first, rest, _ := strings.Cut(rest, "/")
	if strings.Contains(first, ".") {
		plural, _, _ := strings.Cut(rest, "/")
		return GroupResource{Group: first, Resource: plural}, true
	}
	return GroupResource{Group: builtinGroups[first], Resource: first}, true
}
