// Package leaderlab is the checker of lab 12: Decide, the rule by which a
// scheduler or controller-manager replica decides, each retry period,
// whether to create, take over, renew or give up the Lease it elects its
// leader with — written by a student in labs/12-leader/student.
//
// The checker first compares Decide's answers with the rule on views
// drawn from each seed. Then it plugs the student's Decide into every
// replica of a simulated cluster (cluster.Plugins, the seam) and runs
// scenarios with the simulator's faults and invariants: replicas restarted,
// clocks offset by up to an hour and drifting within the election's bound,
// a leader whose renewals fail while its other writes still land, a
// leader lost for good. A failure names the invariant in plain words, the
// virtual time, the seed, the replay command and the last lines of the
// run's timeline (the whole timeline is written to a file).
//
// Book: book/12-leader-election.md, "Lab".
package leaderlab
