// Package schema applies a CustomResourceDefinition's structural OpenAPI
// v3 schema to custom objects: it checks that a schema is structural,
// validates objects against it with a field path in every error, applies
// its defaults and prunes the fields it does not declare.
//
// Objects are JSON values as api.Unstructured keeps them: map[string]any,
// []any, string, json.Number, bool and nil.
//
// Book: book/17-custom-resources.md.
package schema
