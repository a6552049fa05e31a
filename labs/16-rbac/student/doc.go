// Package student is your code for lab 16: the RBAC decision. See
// labs/16-rbac/README.md and book/16-identity-and-access.md, "Code: the
// RBAC decision".
package student
