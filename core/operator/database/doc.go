// Package database is an operator: a controller for a kind tinykube does
// not build in, defined by a CustomResourceDefinition (crd.yaml) and
// written with tinykube's client, informers and work queue, exactly as the
// built-in controllers are.
//
// A Database (demo.tinykube.dev/v1) asks for a small replicated database.
// The operator owns a ConfigMap (its config), a headless Service, a client
// Service that selects the primary, and a StatefulSet; it labels exactly
// one ready pod demo.tinykube.dev/role=primary and the others replica,
// fails over when the primary is gone or not ready for a while, keeps an
// entry for the database in the namespace's shared catalog ConfigMap, and
// removes that entry through a finalizer when the database is deleted.
//
// The operator's author states what must always hold as Invariants
// (invariants.go); the simulator checks them under faults beside its own.
// Deliberately broken variants plug in through Hooks, from sim/mutants.
//
// Book: book/17-custom-resources.md
package database
