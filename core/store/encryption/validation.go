package encryption

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// ValidationError lists everything wrong with a configuration, one
// "field: what is wrong" line each.
type ValidationError struct {
	Errors []string
}

func (e *ValidationError) Error() string {
	if len(e.Errors) == 1 {
		return "invalid encryption configuration: " + e.Errors[0]
	}
	return "invalid encryption configuration:\n  " + strings.Join(e.Errors, "\n  ")
}

// keySizes are the key lengths, in bytes, each provider accepts: AES-128,
// -192 and -256; secretbox takes exactly 32.
var keySizes = map[string][]int{
	"aesgcm":    {16, 24, 32},
	"aescbc":    {16, 24, 32},
	"secretbox": {32},
}

// Validate checks c as kube-apiserver checks an EncryptionConfiguration,
// plus what tinykube needs for prefixes to be unambiguous (unique key
// names without ':'). It returns a *ValidationError or nil.
func (c *Config) Validate() error {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if c.APIVersion != APIVersion || c.Kind != Kind {
		add("apiVersion/kind: got %q/%q, want %s/%s", c.APIVersion, c.Kind, APIVersion, Kind)
	}
	if len(c.Resources) == 0 {
		add("resources: at least one entry is required, e.g. {resources: [secrets], providers: [...]}")
	}
	seen := map[GroupResource]string{} // earlier entries' resources, by where they were named
	for i, rc := range c.Resources {
		at := fmt.Sprintf("resources[%d]", i)
		if len(rc.Resources) == 0 {
			add("%s.resources: name at least one resource (secrets, configmaps, deployments.apps, *.apps, *.*)", at)
		}
		for _, e := range validateResources(rc.Resources, at+".resources") {
			add("%s", e)
		}
		for j, r := range rc.Resources {
			gr := ParseGroupResource(r)
			for _, mask := range []GroupResource{{Group: gr.Group, Resource: "*"}, {Group: "*", Resource: "*"}} {
				if where, ok := seen[mask]; ok {
					add("%s.resources[%d]: %q is masked by %q in %s: an earlier entry already covers it; list it there or before it", at, j, r, mask.String(), where)
				}
			}
		}
		for _, r := range rc.Resources {
			gr := ParseGroupResource(r)
			if _, ok := seen[gr]; !ok {
				seen[gr] = at
			}
		}
		if len(rc.Providers) == 0 {
			add("%s.providers: at least one provider is required (aesgcm, aescbc, secretbox or identity); the first one writes", at)
		}
		for j, p := range rc.Providers {
			pat := fmt.Sprintf("%s.providers[%d]", at, j)
			kinds := p.kinds()
			switch {
			case len(kinds) == 0:
				add("%s: name one provider: aesgcm, aescbc, secretbox or identity", pat)
				continue
			case len(kinds) > 1:
				add("%s: names %s: one provider per list element; split them into separate elements", pat, strings.Join(kinds, " and "))
				continue
			}
			switch kinds[0] {
			case "kms":
				add("%s.kms: KMS providers are not supported by tinykube (there is no KMS plugin protocol here): use aesgcm or secretbox with a key in this file", pat)
			case "aesgcm", "aescbc", "secretbox":
				for _, e := range validateKeys(p.keys(), pat+"."+kinds[0]+".keys", keySizes[kinds[0]]) {
					add("%s", e)
				}
			}
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Errors: errs}
	}
	return nil
}

// kinds names the providers p sets.
func (p ProviderConfiguration) kinds() []string {
	var out []string
	if p.AESGCM != nil {
		out = append(out, "aesgcm")
	}
	if p.AESCBC != nil {
		out = append(out, "aescbc")
	}
	if p.Secretbox != nil {
		out = append(out, "secretbox")
	}
	if p.Identity != nil {
		out = append(out, "identity")
	}
	if len(p.KMS) > 0 && string(p.KMS) != "null" {
		out = append(out, "kms")
	}
	return out
}

// keys returns the keys of p's keyed provider, nil for identity.
func (p ProviderConfiguration) keys() []Key {
	for _, k := range []*KeysConfiguration{p.AESGCM, p.AESCBC, p.Secretbox} {
		if k != nil {
			return k.Keys
		}
	}
	return nil
}

// validateResources checks one entry's resource names, with Kubernetes'
// rules: lower case, no bare "*", no "resource.*", no duplicates, no
// overlap ("secrets" with "*."), and not the groups Kubernetes refuses.
func validateResources(rs []string, at string) []string {
	var errs []string
	for j, r := range rs {
		f := fmt.Sprintf("%s[%d]", at, j)
		gr := ParseGroupResource(r)
		switch {
		case r == "":
			errs = append(errs, f+": empty resource name")
		case strings.ToLower(r) != r:
			errs = append(errs, fmt.Sprintf("%s: %q: resource names are lower case plurals (secrets, not Secret)", f, r))
		case r == "*":
			errs = append(errs, fmt.Sprintf("%s: %q: use \"*.\" for every resource of the core group or \"*.*\" for every resource", f, r))
		case gr.Group == "*" && gr.Resource != "*":
			errs = append(errs, fmt.Sprintf("%s: %q: encrypting one resource across every group is not supported: name its group (%s.GROUP)", f, r, gr.Resource))
		case gr.Group == "events.k8s.io":
			errs = append(errs, fmt.Sprintf("%s: %q: events.k8s.io Events are stored as core Events: write \"events\"", f, r))
		case gr.Group == "extensions":
			errs = append(errs, fmt.Sprintf("%s: %q: the extensions group was removed and cannot be encrypted", f, r))
		}
	}
	for i := range rs {
		for j := i + 1; j < len(rs); j++ {
			a, b := ParseGroupResource(rs[i]), ParseGroupResource(rs[j])
			switch {
			case a == b:
				errs = append(errs, fmt.Sprintf("%s[%d]: %q is listed twice", at, j, rs[j]))
			case a.covers(b) || b.covers(a):
				errs = append(errs, fmt.Sprintf("%s: %q and %q overlap: one masks the other; keep the wider one", at, rs[i], rs[j]))
			}
		}
	}
	return errs
}

// validateKeys checks a provider's keys: at least one, each named
// (uniquely, without ':') with a base64 secret of an accepted length.
// Messages never show the secret.
func validateKeys(keys []Key, at string, sizes []int) []string {
	var errs []string
	if len(keys) == 0 {
		return []string{at + ": at least one key is required"}
	}
	names := map[string]int{}
	for i, k := range keys {
		f := fmt.Sprintf("%s[%d]", at, i)
		switch {
		case k.Name == "":
			errs = append(errs, f+".name: every key needs a name (it is written in front of each value it encrypts)")
		case strings.Contains(k.Name, ":"):
			errs = append(errs, fmt.Sprintf("%s.name: %q must not contain ':' (it ends the key name in stored values)", f, k.Name))
		default:
			if first, dup := names[k.Name]; dup {
				errs = append(errs, fmt.Sprintf("%s.name: %q is also the name of %s[%d]: key names must be unique", f, k.Name, at, first))
			} else {
				names[k.Name] = i
			}
		}
		if k.Secret == "" {
			errs = append(errs, f+".secret: every key needs a secret (base64 of random bytes: head -c 32 /dev/urandom | base64)")
			continue
		}
		b, err := base64.StdEncoding.DecodeString(k.Secret)
		if err != nil {
			errs = append(errs, f+".secret: not standard base64 (the secret itself is not shown)")
			continue
		}
		if !containsInt(sizes, len(b)) {
			errs = append(errs, fmt.Sprintf("%s.secret: decodes to %d bytes, want one of %v", f, len(b), sizes))
		}
	}
	return errs
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
