package encryption

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// The apiVersion and kind of an encryption configuration file.
const (
	APIVersion = "apiserver.config.k8s.io/v1"
	Kind       = "EncryptionConfiguration"
)

// Config is an EncryptionConfiguration in Kubernetes' shape: which
// resources are encrypted, and with what.
type Config struct {
	APIVersion string                  `json:"apiVersion"`
	Kind       string                  `json:"kind"`
	Resources  []ResourceConfiguration `json:"resources"`
}

// ResourceConfiguration is one entry: a set of resources ("secrets",
// "deployments.apps", "*.apps", "*.", "*.*") and the providers for them,
// the first of which writes.
type ResourceConfiguration struct {
	Resources []string                `json:"resources"`
	Providers []ProviderConfiguration `json:"providers"`
}

// ProviderConfiguration names exactly one provider.
type ProviderConfiguration struct {
	AESGCM    *KeysConfiguration `json:"aesgcm,omitempty"`
	AESCBC    *KeysConfiguration `json:"aescbc,omitempty"`
	Secretbox *KeysConfiguration `json:"secretbox,omitempty"`
	Identity  *struct{}          `json:"identity,omitempty"`
	// KMS is recognised only to be refused with a clear message: tinykube
	// has no KMS plugin protocol.
	KMS json.RawMessage `json:"kms,omitempty"`
}

// KeysConfiguration is the keys of one provider; the first encrypts.
type KeysConfiguration struct {
	Keys []Key `json:"keys"`
}

// Key is a named key; Secret is its bytes in standard base64.
type Key struct {
	Name   string `json:"name"`
	Secret string `json:"secret"`
}

// Parse reads an EncryptionConfiguration from YAML or JSON (JSON is YAML)
// and validates it. Unknown fields are refused, so that a misspelt
// "provider:" is not silently an unencrypted store. Errors name the field
// ("resources[0].providers[1].aesgcm.keys[0].secret") and never echo a
// key's secret.
func Parse(data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("the encryption configuration is empty: write an %s (apiVersion %s), e.g. with 'tinykube encryption new-config'", Kind, APIVersion)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("the encryption configuration is not YAML or JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decoding the encryption configuration: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
