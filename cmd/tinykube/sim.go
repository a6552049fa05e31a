package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/sim/cluster"
	simhistory "github.com/tinykube/tinykube/sim/history"
	"github.com/tinykube/tinykube/sim/scenario"
	"sigs.k8s.io/yaml"
)

func (c *cli) simCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run scenarios in the deterministic simulator",
		Long: `The simulator runs a whole cluster (API server, scheduler, controllers, every
node's kubelet) on one thread in virtual time. A run is replayed exactly from its
seed; faults are injected; invariants are checked after every event.

The garbage collector's target is 400 while it runs (with a soft memory
limit of 3 GiB, or half the machine's memory if less), unless GOGC or
GOMEMLIMIT are set: the simulator allocates fast and keeps little.`,
		PersistentPreRun: func(*cobra.Command, []string) { tuneGCForSimulation() },
	}
	cmd.AddCommand(c.simRunCommand(), c.simExploreCommand())
	return cmd
}

func (c *cli) simRunCommand() *cobra.Command {
	var seed uint64
	var tracePath, historyPath string
	var timeline, verbose, story bool
	var only []string
	cmd := &cobra.Command{
		Use:   "run SCENARIO.yaml",
		Short: "Run one seed of a scenario; exit non-zero on a violation (or, where the scenario expects one, on its absence)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenario.Load(args[0])
			if err != nil {
				return err
			}
			if historyPath != "" {
				s.History = true
			}
			start := time.Now()
			cl, err := cluster.New(s, seed)
			if err != nil {
				return fmt.Errorf("%s: %v", args[0], err)
			}
			cl.W.Trace.Verbose = verbose
			cl.W.Trace.Only = only
			cl.W.Trace.Story = story
			r := cl.Run()
			wall := time.Since(start)
			if historyPath != "" {
				hr := simhistory.Check(cl.History().History(), simhistory.Options{Incomplete: true, Visualize: historyPath})
				verdict := "linearizable"
				if !hr.Ok {
					verdict = "NOT linearizable (" + hr.Key + ")"
				}
				fmt.Fprintf(c.stderr, "history: %d operations on %d objects, %s; porcupine's view written to %s (open it in a browser)\n", hr.Ops, hr.Keys, verdict, historyPath)
			}
			if timeline || story {
				cl.W.Trace.WriteTimeline(c.stdout)
			}
			if tracePath != "" {
				f, err := os.Create(tracePath)
				if err != nil {
					return err
				}
				if err := cl.W.Trace.WriteChrome(f); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
				fmt.Fprintf(c.stderr, "trace written to %s (open it at https://ui.perfetto.dev)\n", tracePath)
			}
			fmt.Fprintf(c.stdout, "%s seed %d: %s of virtual time in %.2fs (%.0fx real time), %d events, %d API calls, trace %016x\n",
				s.Name, seed, r.At, wall.Seconds(), r.At.Seconds()/wall.Seconds(), r.Steps, r.Calls, r.TraceHash)
			if r.Converged >= 0 {
				fmt.Fprintf(c.stdout, "liveness: converged %v after the last fault\n", r.Converged)
			}
			if r.Violation != nil {
				fmt.Fprintf(c.stdout, "VIOLATION at %v: %v\n", r.At, r.Violation)
			}
			switch {
			case r.Expect != "" && r.AsExpected():
				fmt.Fprintf(c.stdout, "as expected: the scenario is built to break %s (its description says why)\n", r.Expect)
			case r.Expect != "":
				fmt.Fprintf(c.stdout, "NOT AS EXPECTED: the scenario is built to break %s, and this run did not\n", r.Expect)
				return exitError{code: 1}
			case r.Violation != nil:
				return exitError{code: 1}
			default:
				fmt.Fprintln(c.stdout, "ok: no invariant violated")
			}
			return nil
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "the seed: the same seed replays the same run")
	cmd.Flags().StringVar(&tracePath, "trace", "", "write a Chrome trace-event JSON file (open in Perfetto)")
	cmd.Flags().StringVar(&historyPath, "history", "", "record every API call, check the history for linearizability, and write porcupine's HTML view of it to this file")
	cmd.Flags().BoolVar(&timeline, "timeline", false, "print the timeline: one line per write, fault and note")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "include reads (GET, list, watch) in the timeline")
	cmd.Flags().BoolVar(&story, "story", false, "print the run's story: only the timeline's reader-level lines (faults, checks, crashes, leader changes, the scheduler's scores, and Events such as scaling steps, bindings with their node, evictions), no API calls; what the golden files in sim/cluster/testdata/golden hold")
	cmd.Flags().StringSliceVar(&only, "only", nil, "keep the timeline to these processes (names or their starts, comma-separated: scheduler,network); faults and checks are always shown")
	return cmd
}

func (c *cli) simExploreCommand() *cobra.Command {
	var seeds, from uint64
	var shrink bool
	var jobs int
	cmd := &cobra.Command{
		Use:   "explore SCENARIO.yaml",
		Short: "Run many seeds, in parallel; print each failure with its replay command",
		Long: `Run seeds --from, --from+1, … of a scenario, each in a simulated world of its
own, and print every failure (a run that broke an invariant, or a demonstration
that did not break the one it is built to show) with the command that replays
it. The first failure — the lowest failing seed — is shrunk to a minimal fault
schedule, written beside the scenario as NAME.seed-N.min.yaml.

-j runs that many seeds at once, one per goroutine (default: every core Go may
use, GOMAXPROCS). A seed's run depends on the scenario and the seed alone, and
the results are taken in seed order however the runs finish, so the output,
the shrunk scenario and the exit code are the same for every -j; -j 1 runs
one seed after the other. The shrink uses the same workers. Progress lines on
stderr show seeds per minute and virtual time over wall time, summed over the
workers.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jobs < 1 {
				return fmt.Errorf("sim explore: -j %d: run at least one seed at a time (-j 1), or leave -j out for one per core", jobs)
			}
			s, err := scenario.Load(args[0])
			if err != nil {
				return err
			}
			start := time.Now()
			tty := isTerminal(c.stderr)
			var failed []uint64
			var shown int // runs that broke the invariant the scenario expects
			var virtual time.Duration
			var done uint64
			var buildErr error
			err = cluster.Explore(cmd.Context(), s, from, seeds, jobs, func(o cluster.Outcome) bool {
				if o.Err != nil {
					buildErr = o.Err
					return false
				}
				seed, r := o.Seed, o.Result
				done++
				virtual += r.At
				if r.Violation != nil && r.AsExpected() {
					// A demonstration: show the first, count the rest.
					if shown++; shown == 1 {
						c.clearProgress(tty)
						fmt.Fprintf(c.stdout, "seed %d: at %v, as expected: %v\n  replay: %s\n", seed, r.At, r.Violation, cluster.Replay(args[0], seed))
					}
				} else if !r.AsExpected() {
					failed = append(failed, seed)
					c.clearProgress(tty)
					if r.Violation == nil {
						fmt.Fprintf(c.stdout, "seed %d: FAIL: no %s violation, which the scenario is built to show\n  replay: %s\n", seed, r.Expect, cluster.Replay(args[0], seed))
					} else {
						fmt.Fprintf(c.stdout, "seed %d: FAIL at %v: %v\n  replay: %s\n", seed, r.At, r.Violation, cluster.Replay(args[0], seed))
						if shrink && len(failed) == 1 {
							c.shrinkAndWrite(args[0], s, seed, r, o.Faults, jobs)
						}
					}
				}
				if (tty && done%10 == 0) || done%100 == 0 || done == seeds {
					c.exploreProgress(tty, done, seeds, len(failed), time.Since(start), virtual, jobs)
				}
				return true
			})
			if tty {
				fmt.Fprintln(c.stderr)
			}
			if buildErr != nil {
				return buildErr
			}
			if err != nil {
				// Interrupted: report the seeds that ran, all of them
				// before the first that did not.
				fmt.Fprintf(c.stderr, "interrupted after %d of %d seeds\n", done, seeds)
				seeds = done
			}
			if s.ExpectViolation != "" {
				fmt.Fprintf(c.stdout, "%s: %d of %d seeds from %d broke %s, as the scenario expects; ", s.Name, shown, seeds, from, s.ExpectViolation)
			} else {
				fmt.Fprintf(c.stdout, "%s: %d seeds from %d, ", s.Name, seeds, from)
			}
			fmt.Fprintf(c.stdout, "%d failed", len(failed))
			if len(failed) > 0 {
				fmt.Fprintf(c.stdout, " (seeds %s)\n", joinSeeds(failed))
				return exitError{code: 1}
			}
			fmt.Fprintln(c.stdout)
			if err != nil {
				return exitError{code: 130}
			}
			return nil
		},
	}
	cmd.Flags().Uint64Var(&seeds, "seeds", 100, "how many seeds to run")
	cmd.Flags().Uint64Var(&from, "from", 1, "the first seed")
	cmd.Flags().BoolVar(&shrink, "shrink", true, "shrink the first failure to a minimal fault schedule and write it as a scenario")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", runtime.GOMAXPROCS(0), "how many seeds to run at once (the output is the same for any number)")
	return cmd
}

// exploreProgress prints explore's progress: seeds done of all, failures,
// seeds per minute and virtual time over wall time (both summed over the
// jobs workers), in place on a terminal, one line each otherwise.
func (c *cli) exploreProgress(tty bool, done, all uint64, failed int, wall, virtual time.Duration, jobs int) {
	line := fmt.Sprintf("%d/%d seeds, %d failed, %.0f seeds/min, %.0fx real time (-j %d)", done, all, failed,
		float64(done)/wall.Minutes(), virtual.Seconds()/wall.Seconds(), jobs)
	if tty {
		fmt.Fprint(c.stderr, "\r\033[K"+line)
	} else {
		fmt.Fprintln(c.stderr, line)
	}
}

// clearProgress clears explore's progress line before a result is
// printed over it.
func (c *cli) clearProgress(tty bool) {
	if tty {
		fmt.Fprint(c.stderr, "\r\033[K")
	}
}

// shrinkAndWrite shrinks a failing run and writes the smaller scenario
// beside the original as NAME.seed-N.min.yaml.
// It runs up to jobs trials at once (the shrunk scenario is the same for
// any number).
func (c *cli) shrinkAndWrite(path string, s *scenario.Scenario, seed uint64, r cluster.Result, faults []scenario.Fault, jobs int) {
	small, sr := cluster.ShrinkParallel(s, seed, r, faults, jobs)
	b, err := yaml.Marshal(small)
	if err != nil {
		fmt.Fprintf(c.stderr, "shrink: %v\n", err)
		return
	}
	out := strings.TrimSuffix(path, filepath.Ext(path)) + fmt.Sprintf(".seed-%d.min.yaml", seed)
	header := fmt.Sprintf("# Shrunk from %s, seed %d: %d faults -> %d, still failing with\n# %v\n", path, seed, len(faults), len(small.Faults), sr.Violation)
	if err := os.WriteFile(out, append([]byte(header), b...), 0o644); err != nil {
		fmt.Fprintf(c.stderr, "shrink: %v\n", err)
		return
	}
	fmt.Fprintf(c.stdout, "  shrunk to %d of %d faults: %s\n  replay: %s\n", len(small.Faults), len(faults), out, cluster.Replay(out, seed))
}

func joinSeeds(s []uint64) string {
	var parts []string
	for i, v := range s {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("… %d more", len(s)-10))
			break
		}
		parts = append(parts, fmt.Sprint(v))
	}
	return strings.Join(parts, ", ")
}

// isTerminal reports whether w is a terminal, where a progress line can
// be rewritten in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
