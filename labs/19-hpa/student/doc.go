// Package student is your code for lab 19: the HorizontalPodAutoscaler's
// replica calculation. See labs/19-hpa/README.md and
// book/19-measuring-and-autoscaling.md, "Code: the HorizontalPodAutoscaler".
package student
