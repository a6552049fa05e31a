// Package lab runs the book's labs: a checker made of tests, each run over
// many seeds, that gives a verdict a student can replay.
//
// A Lab is a list of Tests. Run calls every test once per seed with an Env
// whose random generator (math/rand/v2's PCG) is derived from the seed
// alone, so the same seed draws the same cluster, the same pods and thus
// the same failure, byte for byte. A failure says which test, which
// property it broke, on which seed, the command that replays just that
// case, and the section of the book to reread. Grade prints points per
// test, in the style of xv6's graders. Env.Near draws the durations a
// rule test puts around a boundary. Simulate runs a scenario from a lab's
// scenarios folder with the student's code plugged into the components
// (cluster.Plugins) and reports a failure with the virtual time and the
// timeline's tail; WatchPods lets a lab's own check follow every pod write
// of the run.
//
// Unlike the MIT 6.5840 labs, whose seeds come from crypto/rand, nothing
// here reads the clock or global randomness: a verdict depends on the
// student's code and the seed, nothing else.
//
// Book: chapter 8, "The simulator" (book/08-simulator.md, "Lab"), on
// which every checker is built; book/README.md, "Labs".
package lab
