package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tinykube/tinykube/labs/catalog"
	"github.com/tinykube/tinykube/labs/lab"
)

func main() {
	var (
		nn    = flag.String("lab", "", "the lab's number, as in labs/NN-*: 04")
		seed  = flag.Uint64("seed", 0, "run each test on this seed only (a failure prints it)")
		run   = flag.String("run", "", "run only the tests with this name, or matching this regular expression")
		seeds = flag.Int("seeds", lab.DefaultSeeds, "run each test on seeds 1 to this")
		grade = flag.Bool("grade", false, "run every lab and print points per test")
		impl  = flag.String("impl", "", "whose code to run: student (the default), reference, or mutant:NAME")
	)
	flag.Parse()
	opts := lab.Options{Seeds: *seeds, Seed: *seed, Run: *run, Impl: *impl}
	if *grade {
		var labs []lab.Lab
		for _, e := range catalog.All() {
			l, err := e.Impl(*impl)
			if err != nil {
				fail(err.Error())
			}
			labs = append(labs, l)
		}
		if _, _, err := lab.Grade(os.Stdout, labs, opts); err != nil {
			fail(err.Error())
		}
		return
	}
	e, err := catalog.Get(*nn)
	if err != nil {
		fail("lab: " + err.Error())
	}
	l, err := e.Impl(*impl)
	if err != nil {
		fail(err.Error())
	}
	if *impl != "" && *impl != "student" {
		fmt.Printf("(running %s, not your code in labs/%s-*/student)\n", *impl, l.Number)
	}
	rep, err := lab.Run(l, opts)
	if err != nil {
		fail(err.Error())
	}
	fmt.Print(rep)
	if !rep.Passed() {
		os.Exit(1)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}
