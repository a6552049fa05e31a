// Command lab runs the book's labs against the student's code in
// labs/NN-*/student. The Makefile's lab, grade and soak targets call it:
//
//	go run ./labs/cmd/lab -lab 04 [-seed 17] [-run FitsAll] [-seeds 50]
//	go run ./labs/cmd/lab -grade
//
// It exits 1 when a lab fails, so that `make lab` reads as a failure; a
// grade always exits 0 once it has printed the points.
//
// Book: book/README.md, "How to read it".
package main

import (
	"flag"
	"fmt"
	"os"

	schedulerlab "github.com/tinykube/tinykube/labs/04-scheduler"
	schedstudent "github.com/tinykube/tinykube/labs/04-scheduler/student"
	kubeletlab "github.com/tinykube/tinykube/labs/05-kubelet"
	kubeletstudent "github.com/tinykube/tinykube/labs/05-kubelet/student"
	replicasetlab "github.com/tinykube/tinykube/labs/06-replicaset"
	rsstudent "github.com/tinykube/tinykube/labs/06-replicaset/student"
	nodefailurelab "github.com/tinykube/tinykube/labs/07-node-failure"
	nodestudent "github.com/tinykube/tinykube/labs/07-node-failure/student"
	rolloutlab "github.com/tinykube/tinykube/labs/09-rollout"
	rolloutstudent "github.com/tinykube/tinykube/labs/09-rollout/student"
	leaderlab "github.com/tinykube/tinykube/labs/12-leader"
	leaderstudent "github.com/tinykube/tinykube/labs/12-leader/student"
	"github.com/tinykube/tinykube/labs/lab"
)

// labs are every lab, wired to the student's code, in chapter order.
func labs() []lab.Lab {
	return []lab.Lab{
		schedulerlab.Lab(schedulerlab.Impl{Fits: schedstudent.Fits, Score: schedstudent.ScoreMostAllocated}),
		kubeletlab.Lab(kubeletlab.Impl{DecideRestart: kubeletstudent.DecideRestart}),
		replicasetlab.Lab(rsstudent.Diff),
		nodefailurelab.Lab(nodefailurelab.Impl{Assess: nodestudent.Assess}),
		rolloutlab.Lab(rolloutlab.Impl{Step: rolloutstudent.Step, Bounds: rolloutstudent.Bounds}),
		leaderlab.Lab(leaderlab.Impl{Decide: leaderstudent.Decide}),
	}
}

func main() {
	var (
		nn    = flag.String("lab", "", "the lab's number, as in labs/NN-*: 04")
		seed  = flag.Uint64("seed", 0, "run each test on this seed only (a failure prints it)")
		run   = flag.String("run", "", "run only the tests with this name, or matching this regular expression")
		seeds = flag.Int("seeds", lab.DefaultSeeds, "run each test on seeds 1 to this")
		grade = flag.Bool("grade", false, "run every lab and print points per test")
	)
	flag.Parse()
	opts := lab.Options{Seeds: *seeds, Seed: *seed, Run: *run}
	if *grade {
		if _, _, err := lab.Grade(os.Stdout, labs(), opts); err != nil {
			fail(err.Error())
		}
		return
	}
	for _, l := range labs() {
		if l.Number != *nn {
			continue
		}
		rep, err := lab.Run(l, opts)
		if err != nil {
			fail(err.Error())
		}
		fmt.Print(rep)
		if !rep.Passed() {
			os.Exit(1)
		}
		return
	}
	msg := fmt.Sprintf("lab: no lab %q. The labs are:\n", *nn)
	for _, l := range labs() {
		msg += fmt.Sprintf("  make lab NN=%s   %s (%s)\n", l.Number, l.Name, l.Book)
	}
	fail(msg)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}
