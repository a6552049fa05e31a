// Package student is your code for lab 15: the volume binder's matching
// step. See labs/15-volume-binding/README.md and
// book/15-configuration-and-storage.md, "Code: the binder".
package student
