// Package student is your code for lab 17: the database operator's
// decisions. See labs/17-operator/README.md and
// book/17-custom-resources.md.
package student
