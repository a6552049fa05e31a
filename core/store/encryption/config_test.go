package encryption

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseYAMLAndJSON(t *testing.T) {
	yamlText := `
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets, configmaps]
    providers:
      - aesgcm:
          keys:
            - {name: key2, secret: ` + secret(32, 2) + `}
            - {name: key1, secret: ` + secret(16, 1) + `}
      - secretbox:
          keys: [{name: box, secret: ` + secret(32, 3) + `}]
      - identity: {}
`
	jsonText := `{"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":[{"resources":["secrets","configmaps"],"providers":[
		{"aesgcm":{"keys":[{"name":"key2","secret":"` + secret(32, 2) + `"},{"name":"key1","secret":"` + secret(16, 1) + `"}]}},
		{"secretbox":{"keys":[{"name":"box","secret":"` + secret(32, 3) + `"}]}},
		{"identity":{}}]}]}`
	want := &Config{APIVersion: APIVersion, Kind: Kind, Resources: []ResourceConfiguration{{
		Resources: []string{"secrets", "configmaps"},
		Providers: []ProviderConfiguration{
			{AESGCM: &KeysConfiguration{Keys: []Key{{"key2", secret(32, 2)}, {"key1", secret(16, 1)}}}},
			{Secretbox: &KeysConfiguration{Keys: []Key{{"box", secret(32, 3)}}}},
			{Identity: &struct{}{}},
		},
	}}}
	for name, text := range map[string]string{"yaml": yamlText, "json": jsonText} {
		got, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("Parse(%s) = %v", name, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("Parse(%s) differs (-want +got):\n%s", name, d)
		}
	}
}

// TestParseErrors: each broken file is refused with the field at fault
// and what to do, never with a secret.
func TestParseErrors(t *testing.T) {
	head := "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n"
	one := func(resources, provider string) string {
		return head + "resources:\n  - resources: " + resources + "\n    providers:\n      - " + provider + "\n"
	}
	gcm := func(keys string) string { return "aesgcm: {keys: " + keys + "}" }
	good := "{name: k, secret: " + secret(32, 1) + "}"
	tests := []struct{ name, text, want string }{
		{"empty", "", "the encryption configuration is empty"},
		{"not yaml", "a: [", "not YAML or JSON"},
		{"wrong kind", "apiVersion: v1\nkind: Secret\nresources: []", `apiVersion/kind: got "v1"/"Secret", want apiserver.config.k8s.io/v1/EncryptionConfiguration`},
		{"unknown field", head + "resources:\n  - resources: [secrets]\n    provider: []\n", `unknown field "provider"`},
		{"no entries", head + "resources: []\n", "resources: at least one entry is required"},
		{"no resources", one("[]", "identity: {}"), "resources[0].resources: name at least one resource"},
		{"no providers", head + "resources:\n  - resources: [secrets]\n    providers: []\n", "resources[0].providers: at least one provider is required"},
		{"empty provider", one("[secrets]", "{}"), "resources[0].providers[0]: name one provider"},
		{"two in one", one("[secrets]", "{identity: {}, "+gcm("["+good+"]")+"}"), "names aesgcm and identity: one provider per list element"},
		{"kms", one("[secrets]", "kms: {name: x, endpoint: unix:///k.sock}"), "resources[0].providers[0].kms: KMS providers are not supported"},
		{"no keys", one("[secrets]", gcm("[]")), "resources[0].providers[0].aesgcm.keys: at least one key is required"},
		{"no name", one("[secrets]", gcm("[{secret: "+secret(32, 1)+"}]")), "aesgcm.keys[0].name: every key needs a name"},
		{"colon in name", one("[secrets]", gcm("[{name: 'a:b', secret: "+secret(32, 1)+"}]")), `keys[0].name: "a:b" must not contain ':'`},
		{"duplicate name", one("[secrets]", gcm("["+good+", "+good+"]")), `aesgcm.keys[1].name: "k" is also the name of resources[0].providers[0].aesgcm.keys[0]`},
		{"no secret", one("[secrets]", gcm("[{name: k}]")), "keys[0].secret: every key needs a secret"},
		{"not base64", one("[secrets]", gcm("[{name: k, secret: 'sup3r$ecret'}]")), "keys[0].secret: not standard base64"},
		{"aes length", one("[secrets]", gcm("[{name: k, secret: "+secret(20, 1)+"}]")), "aesgcm.keys[0].secret: decodes to 20 bytes, want one of [16 24 32]"},
		{"aescbc length", one("[secrets]", "aescbc: {keys: [{name: k, secret: "+secret(8, 1)+"}]}"), "aescbc.keys[0].secret: decodes to 8 bytes, want one of [16 24 32]"},
		{"secretbox length", one("[secrets]", "secretbox: {keys: [{name: k, secret: "+secret(16, 1)+"}]}"), "secretbox.keys[0].secret: decodes to 16 bytes, want one of [32]"},
		{"capitals", one("[Secrets]", "identity: {}"), `resources[0].resources[0]: "Secrets": resource names are lower case`},
		{"star", one("['*']", "identity: {}"), `use "*." for every resource of the core group or "*.*"`},
		{"across groups", one("['secrets.*']", "identity: {}"), "encrypting one resource across every group is not supported"},
		{"events group", one("[events.events.k8s.io]", "identity: {}"), `write "events"`},
		{"extensions", one("[ingresses.extensions]", "identity: {}"), "the extensions group was removed"},
		{"duplicate", one("[secrets, secrets]", "identity: {}"), `resources[0].resources[1]: "secrets" is listed twice`},
		{"overlap", one("[secrets, '*.']", "identity: {}"), `"secrets" and "*." overlap`},
		{"masked", head + "resources:\n  - resources: ['*.*']\n    providers: [identity: {}]\n  - resources: [secrets]\n    providers: [identity: {}]\n",
			`resources[1].resources[0]: "secrets" is masked by "*.*" in resources[0]`},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Parse = %v, want an error containing %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), secret(32, 1)) || strings.Contains(err.Error(), "sup3r") {
			t.Errorf("%s: the error shows a secret: %v", tc.name, err)
		}
	}
}

func TestNewConfigYAML(t *testing.T) {
	text, err := NewConfigYAML(seeded(1), "key-1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(NewConfigYAML) = %v\n%s", err, text)
	}
	got := mustNew(t, c, 1).Describe()
	want := []string{"secrets: aesgcm key key-1 writes; reads aesgcm key key-1, identity"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("NewConfigYAML describes as (-want +got):\n%s", d)
	}
	if _, err := NewConfigYAML(seeded(1), "a:b"); err == nil {
		t.Errorf("NewConfigYAML with a name containing ':' = nil error, want one")
	}
}
