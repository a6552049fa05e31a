// Package student is your code for lab 05: what the kubelet does with a
// container that has exited. See labs/05-kubelet/README.md and
// book/05-kubelet.md, "Code: restarts and CrashLoopBackOff".
package student
