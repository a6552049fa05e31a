package apiserver

import "strings"

// kubernetesVersion is the Kubernetes release whose API tinykube speaks:
// its kinds, fields and wire formats follow k8s.io/api v0.37, the version
// the real-client tests run against. /version reports it, because clients
// decide by it what to send: a Helm chart's kubeVersion constraint
// (">=1.25.0-0") refuses a server older than it names, and templates pick
// an apiVersion with semverCompare on .Capabilities.KubeVersion.
const kubernetesMajor, kubernetesMinor, kubernetesPatch = "1", "37", "0"

// versionInfo is the /version document.
type versionInfo struct {
	Major      string `json:"major"`
	Minor      string `json:"minor"`
	GitVersion string `json:"gitVersion"`
	Platform   string `json:"platform"`
}

// serverVersion is the /version answer of a tinykube built as version
// (e.g. "v0.1.0"): the Kubernetes version it speaks, with tinykube's own
// in the semver build metadata, as k3s reports "v1.30.2+k3s1" — so
// "v1.37.0+tinykube.v0.1.0". Characters semver does not allow in build
// metadata become '-'.
func serverVersion(version string) versionInfo {
	meta := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '.' {
			return r
		}
		return '-'
	}, version)
	git := "v" + kubernetesMajor + "." + kubernetesMinor + "." + kubernetesPatch + "+tinykube"
	for _, id := range strings.Split(meta, ".") {
		if id != "" { // semver allows no empty identifier
			git += "." + id
		}
	}
	return versionInfo{Major: kubernetesMajor, Minor: kubernetesMinor, GitVersion: git, Platform: "tinykube"}
}
