// Package reference is a solution to lab 17: the operator's own
// decisions (core/operator/database's promote, unregister, ObservedStatus
// and catalog entry), rewritten over labs/17-operator/ops. Read it when
// you are done.
//
// Book: book/17-custom-resources.md, "Lab".
package reference
