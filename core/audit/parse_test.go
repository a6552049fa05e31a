package audit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePolicyJSON(t *testing.T) {
	p, warnings, err := ParsePolicy([]byte(`{"apiVersion":"audit.k8s.io/v1","kind":"Policy","omitManagedFields":true,
		"rules":[{"level":"Metadata","verbs":["create"],"resources":[{"group":"apps","resources":["deployments/*"]}]}]}`))
	if err != nil || len(warnings) > 0 {
		t.Fatalf("ParsePolicy(JSON) = warnings %q, error %v, want none", warnings, err)
	}
	want := &Policy{Kind: KindPolicy, APIVersion: APIVersion, OmitManagedFields: true, Rules: []PolicyRule{
		{Level: LevelMetadata, Verbs: []string{"create"}, Resources: []GroupResources{{Group: "apps", Resources: []string{"deployments/*"}}}},
	}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParsePolicy(JSON) mismatch (-want +got):\n%s", diff)
	}
}

func TestParsePolicyErrors(t *testing.T) {
	const head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n"
	tests := []struct {
		name, doc string
		want      []string // substrings of the error
	}{
		{"not yaml", "rules: [", []string{"not YAML or JSON"}},
		{"wrong version", "apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n", []string{`apiVersion "audit.k8s.io/v1beta1"`, "audit.k8s.io/v1"}},
		{"no kind", "apiVersion: audit.k8s.io/v1\nrules:\n- level: None\n", []string{`kind ""`}},
		{"no rules", head, []string{"rules: a policy needs at least one rule"}},
		{"no level", head + "rules:\n- verbs: [get]\n", []string{"rules[0].level: required"}},
		{"bad level", head + "rules:\n- level: None\n- level: Full\n", []string{`rules[1].level: unsupported value "Full"`, `"RequestResponse"`}},
		{"bad stage", head + "omitStages: [Done]\nrules:\n- level: None\n  omitStages: [RequestReceived, Later]\n",
			[]string{`omitStages[0]: unsupported value "Done"`, `rules[0].omitStages[1]: unsupported value "Later"`}},
		{"bad url", head + "rules:\n- level: None\n  nonResourceURLs: [healthz, /a*b]\n",
			[]string{`rules[0].nonResourceURLs[0]: invalid value "healthz"`, `rules[0].nonResourceURLs[1]: invalid value "/a*b"`}},
		{"urls and resources", head + "rules:\n- level: None\n  nonResourceURLs: [/x]\n  namespaces: [a]\n", []string{"rules[0].nonResourceURLs: a rule matches resources"}},
		{"group with version", head + "rules:\n- level: None\n  resources:\n  - group: apps/v1\n", []string{`rules[0].resources[0].group: invalid value "apps/v1"`}},
		{"names without resources", head + "rules:\n- level: None\n  resources:\n  - resourceNames: [x]\n", []string{"rules[0].resources[0].resourceNames: resourceNames need"}},
		{"wrong type", head + "rules:\n- level: None\n  verbs: get\n", []string{"decoding the Policy", "verbs"}},
	}
	for _, tt := range tests {
		_, _, err := ParsePolicy([]byte(tt.doc))
		if err == nil {
			t.Errorf("ParsePolicy(%s) = nil error, want one saying %q", tt.name, tt.want)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParsePolicy(%s) = %q, want it to say %q", tt.name, err, w)
			}
		}
	}
}

func TestParsePolicyWarnsOfUnknownFields(t *testing.T) {
	doc := "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStage: [Panic]\nrules:\n- level: Metadata\n  verb: [get]\n  resources:\n  - group: ''\n    resource: [pods]\n"
	p, warnings, err := ParsePolicy([]byte(doc))
	if err != nil {
		t.Fatalf("ParsePolicy = %v, want no error", err)
	}
	want := []string{"omitStage: unknown field, ignored", "rules[0].resources[0].resource: unknown field, ignored", "rules[0].verb: unknown field, ignored"}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("ParsePolicy warnings mismatch (-want +got):\n%s", diff)
	}
	if len(p.Rules) != 1 || len(p.Rules[0].Verbs) != 0 {
		t.Errorf("ParsePolicy rules = %+v, want one rule without verbs", p.Rules)
	}
}
