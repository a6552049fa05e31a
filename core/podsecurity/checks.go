package podsecurity

import (
	"slices"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// checks is every rule of the standards, baseline first then restricted,
// each group sorted by id: the order Kubernetes reports violations in
// (TestChecksOrdered keeps it so). The Since versions are the Kubernetes
// minors that introduced each revision.
var checks = []check{
	{ID: "appArmorProfile", Level: Baseline, Versions: []versioned{{Since: 0, Check: appArmorProfile}}},
	{ID: "capabilities_baseline", Level: Baseline, Versions: []versioned{{Since: 0, Check: capabilitiesBaseline}}},
	{ID: "hostNamespaces", Level: Baseline, Versions: []versioned{{Since: 0, Check: hostNamespaces}}},
	{ID: "hostPathVolumes", Level: Baseline, Versions: []versioned{{Since: 0, Check: hostPathVolumes}}},
	{ID: "hostPorts", Level: Baseline, Versions: []versioned{{Since: 0, Check: hostPorts}}},
	{ID: "hostProbesAndHostLifecycle", Level: Baseline, Versions: []versioned{{Since: 34, Check: hostProbes}}},
	{ID: "privileged", Level: Baseline, Versions: []versioned{{Since: 0, Check: privileged}}},
	{ID: "procMount", Level: Baseline, Versions: []versioned{
		{Since: 0, Check: procMount},
		{Since: 35, Check: unlessUserNamespace(procMount)},
	}},
	{ID: "seLinuxOptions", Level: Baseline, Versions: []versioned{
		{Since: 0, Check: seLinuxOptions(seLinuxTypes)},
		{Since: 31, Check: seLinuxOptions(seLinuxTypes131)},
	}},
	{ID: "seccompProfile_baseline", Level: Baseline, Versions: []versioned{
		{Since: 0, Check: seccompAnnotations},
		{Since: 19, Check: seccompBaseline},
	}},
	{ID: "sysctls", Level: Baseline, Versions: []versioned{
		{Since: 0, Check: sysctls(safeSysctls[0])},
		{Since: 27, Check: sysctls(safeSysctls[1])},
		{Since: 29, Check: sysctls(safeSysctls[2])},
		{Since: 32, Check: sysctls(safeSysctls[3])},
		{Since: 37, Check: sysctls(safeSysctls[4])},
	}},
	{ID: "windowsHostProcess", Level: Baseline, Versions: []versioned{{Since: 0, Check: windowsHostProcess}}},

	{ID: "allowPrivilegeEscalation", Level: Restricted, Versions: []versioned{{Since: 8, Check: allowPrivilegeEscalation}}},
	{ID: "capabilities_restricted", Level: Restricted, Versions: []versioned{
		{Since: 22, Check: capabilitiesRestricted, Overrides: []string{"capabilities_baseline"}},
	}},
	{ID: "procMount_restricted", Level: Restricted, Versions: []versioned{
		// From 1.35 baseline lets a pod in a user namespace unmask
		// /proc; restricted keeps refusing it.
		{Since: 35, Check: procMount, Overrides: []string{"procMount"}},
	}},
	{ID: "restrictedVolumes", Level: Restricted, Versions: []versioned{
		{Since: 0, Check: restrictedVolumes, Overrides: []string{"hostPathVolumes"}},
	}},
	{ID: "runAsNonRoot", Level: Restricted, Versions: []versioned{
		{Since: 0, Check: runAsNonRoot},
		{Since: 35, Check: unlessUserNamespace(runAsNonRoot)},
	}},
	{ID: "runAsUser", Level: Restricted, Versions: []versioned{
		{Since: 23, Check: runAsUser},
		{Since: 35, Check: unlessUserNamespace(runAsUser)},
	}},
	{ID: "seccompProfile_restricted", Level: Restricted, Versions: []versioned{
		{Since: 19, Check: seccompRestricted, Overrides: []string{"seccompProfile_baseline"}},
	}},
}

// The words the checks' details are made of.

// containers visits the init containers, then the containers: the order
// the checks name them in.
func containers(spec *api.PodSpec, visit func(c *api.Container)) {
	for i := range spec.InitContainers {
		visit(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		visit(&spec.Containers[i])
	}
}

// quoted prints `"a", "b"`.
func quoted(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return `"` + strings.Join(items, `", "`) + `"`
}

// plural picks the word for n things.
func plural(one, many string, n int) string {
	if n == 1 {
		return one
	}
	return many
}

// named prints `container "a"` or `containers "a", "b"`.
func named(one, many string, names []string) string {
	return plural(one, many, len(names)) + " " + quoted(names)
}

// sortedSet returns the distinct values of s, sorted.
func sortedSet(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

// unlessUserNamespace relaxes a check for a pod in a user namespace
// (hostUsers: false), where uid 0 and an unmasked /proc are not the node's.
func unlessUserNamespace(c checkFunc) checkFunc {
	return func(meta *api.ObjectMeta, spec *api.PodSpec) *Violation {
		if spec.HostUsers != nil && !*spec.HostUsers {
			return nil
		}
		return c(meta, spec)
	}
}

// setters prints who set a forbidden value: "pod", `container "a"`, or
// `pod and containers "a", "b"`.
func setters(pod bool, containers []string) string {
	var s []string
	if pod {
		s = append(s, "pod")
	}
	if len(containers) > 0 {
		s = append(s, named("container", "containers", containers))
	}
	return strings.Join(s, " and ")
}
