package sieve

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// Finding is a perturbed run whose settled outcome differs from the
// baseline's (or that could not run).
type Finding struct {
	Case         string
	Perturbation Perturbation
	// Diff is Diff(baseline, perturbed): "-" lines are the baseline's.
	Diff string
	// Err is set when the run itself failed (a script step, a run that
	// was not deterministic).
	Err error
	// Trace is the tail of the perturbed run's timeline.
	Trace string
}

func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sieve %s: after %s the settled outcome differs from the unperturbed run's", f.Case, f.Perturbation)
	if f.Err != nil {
		fmt.Fprintf(&b, ": %v", f.Err)
	}
	if f.Diff != "" {
		fmt.Fprintf(&b, " (-unperturbed +perturbed):\n%s", f.Diff)
	}
	if f.Trace != "" {
		fmt.Fprintf(&b, "\ntrace tail of the perturbed run:\n%s", f.Trace)
	}
	return b.String()
}

// Report is what Run found for one case.
type Report struct {
	Case     string
	Baseline Outcome
	// Calls is how many API calls the controller made in the baseline,
	// Writes how many of them were writes other than Events.
	Calls, Writes int
	// Runs counts the perturbed runs, by kind.
	Runs     map[Kind]int
	Findings []Finding
}

// Summary is one line on what was checked.
func (r *Report) Summary() string {
	total := 0
	for _, n := range r.Runs {
		total += n
	}
	return fmt.Sprintf("%s: baseline %d calls (%d writes); %d perturbed runs (crash-before %d, crash-after %d, late %d, stale %d, stale-restart %d); %d differ",
		r.Case, r.Calls, r.Writes, total, r.Runs[CrashBefore], r.Runs[CrashAfter], r.Runs[Late], r.Runs[Stale], r.Runs[StaleRestart], len(r.Findings))
}

// Options trim a Run.
type Options struct {
	// Stride > 1 perturbs only every Stride-th boundary and write (the
	// first and last always), for -short.
	Stride int
	// Phase picks which of each Stride boundaries and writes are
	// perturbed: those whose index is Phase modulo Stride (default 0).
	// Runs with phases 0 to Stride-1 together perturb every one, so a
	// caller can spread one whole check over several runs (lab 17 does,
	// one phase per seed).
	Phase int
	// StopAfter > 0 stops after that many findings.
	StopAfter int
}

// Run checks c: one baseline run, then every perturbation. It returns an
// error only when the case itself is broken (its setup fails, or its
// baseline does not meet Want).
func Run(c Case, opts Options) (*Report, error) {
	c = c.withDefaults()
	base, err := newRun(c, Perturbation{})
	if err != nil {
		return nil, err
	}
	if err := base.execute(); err != nil {
		return nil, fmt.Errorf("sieve %s: the unperturbed run failed: %v\n%s", c.Name, err, base.traceTail(40))
	}
	if c.Want != nil {
		if err := c.Want(base.outcome); err != nil {
			return nil, fmt.Errorf("sieve %s: the unperturbed run's outcome is not what the case wants: %v\noutcome keys: %v\n%s",
				c.Name, err, slices.Sorted(maps.Keys(base.outcome)), base.traceTail(40))
		}
	}
	rep := &Report{Case: c.Name, Baseline: base.outcome, Calls: len(base.calls), Runs: map[Kind]int{}}

	last := c.Duration - c.Settle // no perturbation may last past this
	var perts []Perturbation
	var crashAt []call
	for _, cl := range base.calls {
		if cl.n <= c.Boundaries && cl.at+RestartDelay <= last {
			crashAt = append(crashAt, cl)
		}
	}
	for _, cl := range strided(crashAt, opts.Stride, opts.Phase) {
		perts = append(perts, Perturbation{Kind: CrashBefore, Call: cl.n, What: cl.what}, Perturbation{Kind: CrashAfter, Call: cl.n, What: cl.what})
	}
	if LateFor+LateDelay <= last {
		perts = append(perts, Perturbation{Kind: Late})
		var watched []string
		for _, cl := range base.calls {
			if strings.HasSuffix(cl.what, "?watch") && !slices.Contains(watched, cl.resource) {
				watched = append(watched, cl.resource)
			}
		}
		if len(watched) > 1 { // with one, "late" already delays it alone
			for _, res := range watched {
				perts = append(perts, Perturbation{Kind: Late, Resource: res})
			}
		}
	}
	var writes []call
	for _, cl := range base.calls {
		if cl.write && !cl.event {
			rep.Writes++
			if len(writes) < c.StaleWrites && cl.at+RestartDelay+StaleFor+LateDelay <= last {
				writes = append(writes, cl)
			}
		}
	}
	for _, cl := range strided(writes, opts.Stride, opts.Phase) {
		perts = append(perts, Perturbation{Kind: Stale, Call: cl.n, What: cl.what}, Perturbation{Kind: StaleRestart, Call: cl.n, What: cl.what})
	}

	for _, p := range perts {
		rep.Runs[p.Kind]++
		f := Finding{Case: c.Name, Perturbation: p}
		r, err := newRun(c, p)
		if err != nil {
			return nil, err
		}
		if err := r.execute(); err != nil {
			f.Err = err
		} else if d := Diff(base.outcome, r.outcome); d != "" {
			f.Diff = d
		} else {
			continue
		}
		f.Trace = r.traceTail(40)
		rep.Findings = append(rep.Findings, f)
		if opts.StopAfter > 0 && len(rep.Findings) >= opts.StopAfter {
			break
		}
	}
	return rep, nil
}

// Check runs c as a test: every perturbed run must settle like the
// baseline. Under -short it perturbs every third boundary.
func Check(t *testing.T, c Case) {
	t.Helper()
	opts := Options{}
	if testing.Short() {
		opts.Stride = 3
	}
	rep, err := Run(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Summary())
	for i, f := range rep.Findings {
		if i == 3 {
			t.Errorf("… and %d more:", len(rep.Findings)-3)
		}
		if i >= 3 {
			t.Errorf("  %s", f.Perturbation)
			continue
		}
		t.Error(f.String())
	}
}

// strided returns every stride-th of calls, from index phase on, and the
// first and last always.
func strided(calls []call, stride, phase int) []call {
	if stride <= 1 || len(calls) <= 2 {
		return calls
	}
	var out []call
	for i, c := range calls {
		if i%stride == phase%stride || i == 0 || i == len(calls)-1 {
			out = append(out, c)
		}
	}
	return out
}
