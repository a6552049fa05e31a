// Package strategiclab is the checker of lab 14: MergeList, the list step
// of strategic merge patch, which a student writes in
// labs/14-strategic-patch/student.
//
// The checker draws an original list and a patch from each seed: items
// keyed by "name", "containerPort" or "type", patches that merge, add,
// delete ("$patch": "delete", with the deleted key repeated in the
// original), replace the list, say "$patch": "merge", null a field, or
// carry one mistake. It first holds the answer against the model's
// promises (which items there are, what each holds, the orders that
// must be kept, arguments left alone), then against the API server's own
// answer, reached through apiserver.MergeList, the seam core keeps for
// this lab.
//
// There is no simulated cluster here: in one, only kubectl sends
// strategic merge patches (the controllers write whole objects), and the
// list step's answer is all a patch's effect on a list, so a cluster run
// would check nothing these tests do not, slower.
//
// Book: book/14-speaking-kubernetes.md, "Lab".
package strategiclab
