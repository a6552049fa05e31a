package lab

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"time"
)

// Lab is one chapter's lab: what a student fills in and the tests that
// judge it.
type Lab struct {
	// Number is the chapter's number as the make target takes it: "04".
	Number string
	// Name says what the lab builds: "the scheduler's filter and score".
	Name string
	// Book is the section a failing student should reread, unless a test
	// names a more precise one.
	Book string
	// Tests run in order; each earns its points only if it passes on
	// every seed.
	Tests []Test
}

// Test is one property of the student's code, checked on one seed at a
// time.
type Test struct {
	// Name is what RUN selects and what Grade prints: "FitsResources".
	Name string
	// Points are earned when the test passes on every seed.
	Points int
	// Property is the rule the test checks, in one line, as a failure
	// states it: "Fits agrees with the scheduler on CPU, memory and pods".
	Property string
	// Book, if set, is the section to reread instead of the lab's.
	Book string
	// Check returns nil when the property holds for env's seed, or what
	// broke it, in words ("Fits(...) = true, want false"). It must draw
	// all its randomness from env.Rand.
	Check func(env *Env) error
}

// Env is what a test gets for one seed.
type Env struct {
	Seed uint64
	// Rand is a PCG generator seeded from Seed alone.
	Rand *rand.Rand
}

// NewEnv returns the Env of seed. Checkers' own tests use it to replay a
// seed without a Lab.
func NewEnv(seed uint64) *Env {
	// The second PCG word is fixed: it only has to differ from the first
	// for small seeds to give unrelated streams.
	return &Env{Seed: seed, Rand: rand.New(rand.NewPCG(seed, 0x74696e796b756265))}
}

// Near draws a duration close to d, where off-by-one mistakes live: d
// itself, a millisecond less (never below 0) or a millisecond more, each
// one time in four, or else anywhere in [0, 2d]. A rule test uses it for
// the times it puts around a boundary (a grace period, a deadline). d must
// not be negative.
func (e *Env) Near(d time.Duration) time.Duration {
	switch e.Rand.IntN(4) {
	case 0:
		return d
	case 1:
		return max(0, d-time.Millisecond)
	case 2:
		return d + time.Millisecond
	}
	return time.Duration(e.Rand.Int64N(int64(2*d) + 1))
}

// Options choose what Run runs.
type Options struct {
	// Seeds is how many seeds (1 to Seeds) each test runs on [50].
	Seeds int
	// Seed, if not 0, runs each test on that seed only.
	Seed uint64
	// Run selects tests by exact name or, failing that, by regular
	// expression, as go test -run does. "" runs them all.
	Run string
	// Impl names the code under test in replay commands when it is not
	// the student's: "reference" or "mutant:NAME" (make lab's IMPL).
	Impl string
}

// DefaultSeeds is how many seeds a test runs on when Options says none.
const DefaultSeeds = 50

// Report is the outcome of one Run.
type Report struct {
	Lab     Lab
	Options Options
	Results []Result
}

// Result is one test's outcome.
type Result struct {
	Test Test
	// Seeds is how many seeds it passed before failing or finishing.
	Seeds int
	// Failure is nil when the test passed on every seed.
	Failure *Failure
}

// Points is what the result earns: all or nothing.
func (r Result) Points() int {
	if r.Failure != nil {
		return 0
	}
	return r.Test.Points
}

// Failure is one test failing on one seed.
type Failure struct {
	Test     string
	Property string
	Seed     uint64
	// Message is what broke, as the test's Check said it.
	Message string
	// Replay is the command that runs only this test on only this seed.
	Replay string
	// Book is the section to reread.
	Book string
}

// Run runs the tests of l that o selects, each on every seed of o, and
// stops a test at its first failing seed. A panic in the student's code
// is a failure like any other, reported with the seed that caused it.
func Run(l Lab, o Options) (Report, error) {
	tests, err := selectTests(l.Tests, o.Run)
	if err != nil {
		return Report{}, err
	}
	seeds := seedList(o)
	rep := Report{Lab: l, Options: o}
	for _, t := range tests {
		res := Result{Test: t}
		for _, seed := range seeds {
			if msg := check(t, seed); msg != "" {
				res.Failure = &Failure{
					Test: t.Name, Property: t.Property, Seed: seed, Message: msg,
					Replay: replay(l.Number, seed, t.Name, o.Impl),
					Book:   firstNonEmpty(t.Book, l.Book),
				}
				break
			}
			res.Seeds++
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// replay is the command that runs only test on only seed.
func replay(nn string, seed uint64, test, impl string) string {
	cmd := fmt.Sprintf("make lab NN=%s SEED=%d RUN=%s", nn, seed, test)
	if impl != "" && impl != "student" {
		cmd += " IMPL=" + impl
	}
	return cmd
}

// check runs t on seed and returns what failed, or "".
func check(t Test, seed uint64) (msg string) {
	defer func() {
		if p := recover(); p != nil {
			msg = fmt.Sprintf("panic: %v (your code must return an answer for every input)", p)
		}
	}()
	if err := t.Check(NewEnv(seed)); err != nil {
		return err.Error()
	}
	return ""
}

func selectTests(all []Test, run string) ([]Test, error) {
	if run == "" {
		return all, nil
	}
	for _, t := range all {
		if t.Name == run {
			return []Test{t}, nil
		}
	}
	re, err := regexp.Compile(run)
	if err != nil {
		return nil, fmt.Errorf("RUN=%s: %v", run, err)
	}
	var out []Test
	for _, t := range all {
		if re.MatchString(t.Name) {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		names := make([]string, len(all))
		for i, t := range all {
			names[i] = t.Name
		}
		return nil, fmt.Errorf("RUN=%s matches no test (the tests are %v)", run, names)
	}
	return out, nil
}

func seedList(o Options) []uint64 {
	if o.Seed != 0 {
		return []uint64{o.Seed}
	}
	n := o.Seeds
	if n <= 0 {
		n = DefaultSeeds
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
