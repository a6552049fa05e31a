package api

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The apiextensions.k8s.io/v1 kinds: a CustomResourceDefinition teaches the
// API server a new resource. Its schema (JSONSchemaProps) is an OpenAPI v3
// schema restricted to what Kubernetes calls "structural" (see
// core/apiextensions/schema). Book: book/17-custom-resources.md.

// APIExtensionsGroup is the group of CustomResourceDefinition.
const APIExtensionsGroup = "apiextensions.k8s.io"

// CustomResourceCleanupFinalizer is the finalizer the API server puts on
// every CRD: the CRD controller deletes the definition's objects before it
// lets the definition go.
const CustomResourceCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"

// CustomResourceDefinition defines one custom resource.
type CustomResourceDefinition struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitempty"`
	Spec       CustomResourceDefinitionSpec   `json:"spec"`
	Status     CustomResourceDefinitionStatus `json:"status,omitempty"`
}

// CustomResourceDefinitionSpec says what the resource is called, where it
// lives, and the versions it is served at.
type CustomResourceDefinitionSpec struct {
	Group string                        `json:"group"`
	Names CustomResourceDefinitionNames `json:"names"`
	// Scope is "Namespaced" or "Cluster".
	Scope                 string                            `json:"scope"`
	Versions              []CustomResourceDefinitionVersion `json:"versions" patchStrategy:"merge" patchMergeKey:"name"`
	Conversion            *CustomResourceConversion         `json:"conversion,omitempty"`
	PreserveUnknownFields bool                              `json:"preserveUnknownFields,omitempty"`
}

// The CRD scopes.
const (
	NamespaceScoped = "Namespaced"
	ClusterScoped   = "Cluster"
)

// CustomResourceDefinitionNames are the names of the resource and its kind.
type CustomResourceDefinitionNames struct {
	Plural     string   `json:"plural"`
	Singular   string   `json:"singular,omitempty"`
	ShortNames []string `json:"shortNames,omitempty"`
	Kind       string   `json:"kind"`
	ListKind   string   `json:"listKind,omitempty"`
	Categories []string `json:"categories,omitempty"`
}

// CustomResourceDefinitionVersion is one version of the resource. Exactly
// one version is the storage version; objects of every version are kept in
// it (tinykube supports conversion None only: versions differ in apiVersion
// and schema, never in shape).
type CustomResourceDefinitionVersion struct {
	Name                     string                           `json:"name"`
	Served                   bool                             `json:"served"`
	Storage                  bool                             `json:"storage"`
	Deprecated               bool                             `json:"deprecated,omitempty"`
	DeprecationWarning       *string                          `json:"deprecationWarning,omitempty"`
	Schema                   *CustomResourceValidation        `json:"schema,omitempty"`
	Subresources             *CustomResourceSubresources      `json:"subresources,omitempty"`
	AdditionalPrinterColumns []CustomResourceColumnDefinition `json:"additionalPrinterColumns,omitempty"`
	SelectableFields         []SelectableField                `json:"selectableFields,omitempty"`
}

// CustomResourceValidation holds a version's schema.
type CustomResourceValidation struct {
	OpenAPIV3Schema *JSONSchemaProps `json:"openAPIV3Schema,omitempty"`
}

// CustomResourceSubresources says which subresources a version serves.
type CustomResourceSubresources struct {
	// Status, when present (it is an empty object), makes status a
	// subresource: writes of the object ignore status and /status writes
	// ignore everything else.
	Status *CustomResourceSubresourceStatus `json:"status,omitempty"`
	Scale  *CustomResourceSubresourceScale  `json:"scale,omitempty"`
}

// CustomResourceSubresourceStatus is empty: its presence is the setting.
type CustomResourceSubresourceStatus struct{}

// CustomResourceSubresourceScale maps the Scale subresource onto fields of
// the object, each a JSON path such as ".spec.replicas".
type CustomResourceSubresourceScale struct {
	SpecReplicasPath   string  `json:"specReplicasPath"`
	StatusReplicasPath string  `json:"statusReplicasPath"`
	LabelSelectorPath  *string `json:"labelSelectorPath,omitempty"`
}

// CustomResourceColumnDefinition is one column "kubectl get" shows.
type CustomResourceColumnDefinition struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // integer, number, string, boolean, date
	Format      string `json:"format,omitempty"`
	Description string `json:"description,omitempty"`
	Priority    int32  `json:"priority,omitempty"`
	JSONPath    string `json:"jsonPath"`
}

// SelectableField is a field a field selector may name, as a JSON path
// (".spec.color").
type SelectableField struct {
	JSONPath string `json:"jsonPath"`
}

// CustomResourceConversion says how versions convert; tinykube serves
// strategy "None" only.
type CustomResourceConversion struct {
	Strategy string           `json:"strategy"`
	Webhook  *json.RawMessage `json:"webhook,omitempty"`
}

// CustomResourceDefinitionStatus is what the API server observed of the
// definition.
type CustomResourceDefinitionStatus struct {
	Conditions     []CustomResourceDefinitionCondition `json:"conditions,omitempty" patchStrategy:"merge" patchMergeKey:"type"`
	AcceptedNames  CustomResourceDefinitionNames       `json:"acceptedNames"`
	StoredVersions []string                            `json:"storedVersions"`
}

// The CRD condition types.
const (
	CRDEstablished   = "Established"
	CRDNamesAccepted = "NamesAccepted"
	CRDTerminating   = "Terminating"
)

// CustomResourceDefinitionCondition is one condition of a CRD.
type CustomResourceDefinitionCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastTransitionTime *Time           `json:"lastTransitionTime,omitempty"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// Condition returns the condition of type t, or nil.
func (s *CustomResourceDefinitionStatus) Condition(t string) *CustomResourceDefinitionCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// IsTrue reports whether the condition of type t is True.
func (s *CustomResourceDefinitionStatus) IsTrue(t string) bool {
	c := s.Condition(t)
	return c != nil && c.Status == ConditionTrue
}

// StorageVersion returns the name of the version marked storage, or "".
func (c *CustomResourceDefinition) StorageVersion() string {
	for _, v := range c.Spec.Versions {
		if v.Storage {
			return v.Name
		}
	}
	return ""
}

// JSONSchemaProps is an OpenAPI v3 schema with Kubernetes' extensions.
// Values that may be any JSON (default, enum members, example, const) are
// kept as raw JSON so they round-trip exactly.
type JSONSchemaProps struct {
	ID                   string                     `json:"id,omitempty"`
	Schema               string                     `json:"$schema,omitempty"`
	Ref                  *string                    `json:"$ref,omitempty"`
	Description          string                     `json:"description,omitempty"`
	Type                 string                     `json:"type,omitempty"`
	Format               string                     `json:"format,omitempty"`
	Title                string                     `json:"title,omitempty"`
	Default              json.RawMessage            `json:"default,omitempty"`
	Maximum              *float64                   `json:"maximum,omitempty"`
	ExclusiveMaximum     bool                       `json:"exclusiveMaximum,omitempty"`
	Minimum              *float64                   `json:"minimum,omitempty"`
	ExclusiveMinimum     bool                       `json:"exclusiveMinimum,omitempty"`
	MaxLength            *int64                     `json:"maxLength,omitempty"`
	MinLength            *int64                     `json:"minLength,omitempty"`
	Pattern              string                     `json:"pattern,omitempty"`
	MaxItems             *int64                     `json:"maxItems,omitempty"`
	MinItems             *int64                     `json:"minItems,omitempty"`
	UniqueItems          bool                       `json:"uniqueItems,omitempty"`
	MultipleOf           *float64                   `json:"multipleOf,omitempty"`
	Enum                 []json.RawMessage          `json:"enum,omitempty"`
	MaxProperties        *int64                     `json:"maxProperties,omitempty"`
	MinProperties        *int64                     `json:"minProperties,omitempty"`
	Required             []string                   `json:"required,omitempty"`
	Items                *JSONSchemaPropsOrArray    `json:"items,omitempty"`
	AllOf                []JSONSchemaProps          `json:"allOf,omitempty"`
	OneOf                []JSONSchemaProps          `json:"oneOf,omitempty"`
	AnyOf                []JSONSchemaProps          `json:"anyOf,omitempty"`
	Not                  *JSONSchemaProps           `json:"not,omitempty"`
	Properties           map[string]JSONSchemaProps `json:"properties,omitempty"`
	AdditionalProperties *JSONSchemaPropsOrBool     `json:"additionalProperties,omitempty"`
	PatternProperties    map[string]JSONSchemaProps `json:"patternProperties,omitempty"`
	Dependencies         map[string]json.RawMessage `json:"dependencies,omitempty"`
	AdditionalItems      *JSONSchemaPropsOrBool     `json:"additionalItems,omitempty"`
	Definitions          map[string]JSONSchemaProps `json:"definitions,omitempty"`
	ExternalDocs         *ExternalDocumentation     `json:"externalDocs,omitempty"`
	Example              json.RawMessage            `json:"example,omitempty"`
	Nullable             bool                       `json:"nullable,omitempty"`

	XPreserveUnknownFields *bool            `json:"x-kubernetes-preserve-unknown-fields,omitempty"`
	XEmbeddedResource      bool             `json:"x-kubernetes-embedded-resource,omitempty"`
	XIntOrString           bool             `json:"x-kubernetes-int-or-string,omitempty"`
	XListMapKeys           []string         `json:"x-kubernetes-list-map-keys,omitempty"`
	XListType              *string          `json:"x-kubernetes-list-type,omitempty"`
	XMapType               *string          `json:"x-kubernetes-map-type,omitempty"`
	XValidations           []ValidationRule `json:"x-kubernetes-validations,omitempty" patchStrategy:"merge" patchMergeKey:"rule"`
}

// ExternalDocumentation points at documentation elsewhere.
type ExternalDocumentation struct {
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
}

// ValidationRule is one CEL rule of x-kubernetes-validations.
type ValidationRule struct {
	Rule              string  `json:"rule"`
	Message           string  `json:"message,omitempty"`
	MessageExpression string  `json:"messageExpression,omitempty"`
	Reason            *string `json:"reason,omitempty"`
	FieldPath         string  `json:"fieldPath,omitempty"`
	OptionalOldSelf   *bool   `json:"optionalOldSelf,omitempty"`
}

// JSONSchemaPropsOrArray is "items": one schema for every item, or (in
// JSON Schema, not allowed by structural schemas) one per position.
type JSONSchemaPropsOrArray struct {
	Schema      *JSONSchemaProps
	JSONSchemas []JSONSchemaProps
}

// MarshalJSON writes the schema, or the array of schemas.
func (s JSONSchemaPropsOrArray) MarshalJSON() ([]byte, error) {
	if len(s.JSONSchemas) > 0 {
		return json.Marshal(s.JSONSchemas)
	}
	if s.Schema == nil {
		return []byte("null"), nil
	}
	return json.Marshal(s.Schema)
}

// UnmarshalJSON reads a schema or an array of schemas.
func (s *JSONSchemaPropsOrArray) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		s.Schema = nil
		return json.Unmarshal(b, &s.JSONSchemas)
	case len(b) > 0 && b[0] == '{':
		s.JSONSchemas = nil
		s.Schema = &JSONSchemaProps{}
		return json.Unmarshal(b, s.Schema)
	case bytes.Equal(b, []byte("null")):
		*s = JSONSchemaPropsOrArray{}
		return nil
	}
	return fmt.Errorf("items must be a schema or an array of schemas, not %s", b)
}

// JSONSchemaPropsOrBool is additionalProperties or additionalItems: true,
// false, or a schema (which means allowed, each value of that schema).
type JSONSchemaPropsOrBool struct {
	Allows bool
	Schema *JSONSchemaProps
}

// MarshalJSON writes the schema, or the boolean.
func (s JSONSchemaPropsOrBool) MarshalJSON() ([]byte, error) {
	if s.Schema != nil {
		return json.Marshal(s.Schema)
	}
	return json.Marshal(s.Allows)
}

// UnmarshalJSON reads a schema or a boolean.
func (s *JSONSchemaPropsOrBool) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '{':
		s.Allows, s.Schema = true, &JSONSchemaProps{}
		return json.Unmarshal(b, s.Schema)
	case bytes.Equal(b, []byte("true")):
		*s = JSONSchemaPropsOrBool{Allows: true}
		return nil
	case bytes.Equal(b, []byte("false")), bytes.Equal(b, []byte("null")):
		*s = JSONSchemaPropsOrBool{}
		return nil
	}
	return fmt.Errorf("must be a boolean or a schema, not %s", b)
}
