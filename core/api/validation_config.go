package api

import (
	"fmt"
	"maps"
	"slices"
)

// MaxDataSize bounds the summed size of a ConfigMap's or Secret's data, so
// that one object fits in one etcd value.
const MaxDataSize = 1 << 20

func validateConfigMap(cm *ConfigMap) FieldErrors {
	errs := validateObjectMeta(&cm.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	total := 0
	for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
		kp := path("data").key(k)
		errs = append(errs, validateName(k, IsConfigMapKey, kp)...)
		if _, dup := cm.BinaryData[k]; dup {
			errs = append(errs, FieldInvalid(kp.String(), k, "duplicate of key present in binaryData"))
		}
		total += len(cm.Data[k])
	}
	for _, k := range slices.Sorted(maps.Keys(cm.BinaryData)) {
		errs = append(errs, validateName(k, IsConfigMapKey, path("binaryData").key(k))...)
		total += len(cm.BinaryData[k])
	}
	if total > MaxDataSize {
		errs = append(errs, FieldTooLong("data", MaxDataSize))
	}
	return errs
}

// Secret types with rules about their keys.
const (
	SecretTypeOpaque              = "Opaque"
	SecretTypeServiceAccountToken = "kubernetes.io/service-account-token"
	SecretTypeDockerConfigJSON    = "kubernetes.io/dockerconfigjson"
	SecretTypeDockercfg           = "kubernetes.io/dockercfg"
	SecretTypeBasicAuth           = "kubernetes.io/basic-auth"
	SecretTypeSSHAuth             = "kubernetes.io/ssh-auth"
	SecretTypeTLS                 = "kubernetes.io/tls"
	SecretTypeBootstrapToken      = "bootstrap.kubernetes.io/token"
)

// validateSecret checks keys, size and the keys each well-known type needs.
// stringData counts as data: the API server merges it in after validation.
func validateSecret(s *Secret) FieldErrors {
	errs := validateObjectMeta(&s.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	total := 0
	has := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(s.Data)) {
		errs = append(errs, validateName(k, IsConfigMapKey, path("data").key(k))...)
		total += len(s.Data[k])
		has[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(s.StringData)) {
		errs = append(errs, validateName(k, IsConfigMapKey, path("stringData").key(k))...)
		if !has[k] {
			total += len(s.StringData[k])
		}
		has[k] = true
	}
	if total > MaxDataSize {
		errs = append(errs, FieldTooLong("data", MaxDataSize))
	}
	need := func(keys ...string) {
		for _, k := range keys {
			if !has[k] {
				errs = append(errs, FieldRequired(path("data").key(k).String(), ""))
			}
		}
	}
	switch s.Type {
	case SecretTypeServiceAccountToken:
		if s.Annotations["kubernetes.io/service-account.name"] == "" {
			errs = append(errs, FieldRequired("metadata.annotations[kubernetes.io/service-account.name]", ""))
		}
	case SecretTypeDockerConfigJSON:
		need(".dockerconfigjson")
	case SecretTypeDockercfg:
		need(".dockercfg")
	case SecretTypeBasicAuth:
		if !has["username"] && !has["password"] {
			errs = append(errs, FieldRequired("data[username]", ""), FieldRequired("data[password]", ""))
		}
	case SecretTypeSSHAuth:
		need("ssh-privatekey")
	case SecretTypeTLS:
		need("tls.crt", "tls.key")
	case "":
		// Defaulted to Opaque.
	default:
		if msgs := IsQualifiedName(s.Type); len(msgs) > 0 && s.Type != SecretTypeOpaque {
			for _, msg := range msgs {
				errs = append(errs, FieldInvalid("type", s.Type, msg))
			}
		}
	}
	return errs
}

func validateServiceAccount(sa *ServiceAccount) FieldErrors {
	errs := validateObjectMeta(&sa.ObjectMeta, true, IsDNS1123Subdomain, "metadata")
	for i, ref := range sa.Secrets {
		if ref.Name != "" {
			errs = append(errs, validateName(ref.Name, IsDNS1123Subdomain, path(fmt.Sprintf("secrets[%d].name", i)))...)
		}
	}
	return errs
}
