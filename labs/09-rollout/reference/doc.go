// Package reference is a solution to lab 09, written plainly from the
// contract in labs/09-rollout/student, in the shape of
// core/controller/deployment's RollingStep, scaleNew,
// scaleOld and bounds. Its parts are exported so that each
// mutant can break one of them.
//
// Book: book/09-workloads.md, "Lab".
package reference
