// Package volumelab is the checker of lab 15: Match, the volume binder's
// matching step, which a student writes in labs/15-volume-binding/student.
//
// The checker draws a claim, a node and a list of volumes from each seed:
// volumes that fit, volumes that miss the claim by one rule (class, an
// access mode, the volume mode, a few bytes of size, a label, the node),
// volumes held by other claims, Released, Failed or being deleted, and
// volumes reserved for the claim. It compares Match's answer with the
// one it works out itself (expected.go) and says which rule the answer
// broke. Then it runs Match inside the binder of simulated clusters
// (sim.go, through cluster.Plugins.VolumeMatch and the controller
// manager's VolumeMatch hook), with static volumes and claims drawn from
// the seed and the binder crashing, restarting and losing answers, and
// checks the binder's promises after every step: no claim bound to a
// volume that does not fit it, no volume given to two claims, the
// smallest free fit chosen, pre-binding honoured.
//
// Book: book/15-configuration-and-storage.md, "Lab".
package volumelab
