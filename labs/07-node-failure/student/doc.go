// Package student is your code for lab 07: how the node controller tells
// a failed node from a slow one. See labs/07-node-failure/README.md and
// book/07-node-failure.md, "Code: the monitor".
package student
