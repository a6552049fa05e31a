// Package student is your code for lab 09: one step of a Deployment's
// rolling update, and the bounds it works within. See
// labs/09-rollout/README.md and book/09-workloads.md, "Code: the rolling
// update".
package student
