// Package reference is a solution to lab 16, written plainly from the
// contract in labs/16-rbac/student, in the shape of core/auth/rbac's
// Decide and RuleAllows. Its rules are exported so that each mutant can
// break one of them.
//
// Book: book/16-identity-and-access.md, "Lab".
package reference
