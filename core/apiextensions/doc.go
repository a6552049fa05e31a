// Package apiextensions holds what serving custom resources needs beyond
// the API server's own machinery: schema (structural OpenAPI v3 schemas:
// the structural check, validation, defaulting, pruning) and cel (the
// x-kubernetes-validations rules).
//
// Book: book/17-custom-resources.md.
package apiextensions
