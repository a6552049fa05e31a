// Package student is your code for lab 14: the list step of strategic
// merge patch. See labs/14-strategic-patch/README.md and
// book/14-speaking-kubernetes.md, "Code: strategic merge patch".
package student
