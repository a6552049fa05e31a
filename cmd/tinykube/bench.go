package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/realnode/bench"
)

func (c *cli) benchCommand() *cobra.Command {
	var opts bench.Options
	var pods int
	var skipPods, podsOnly bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure API creates against raw etcd puts, and pod starts against bare containerd, as ratios",
		Long: `Start a throwaway embedded etcd and measure, in turns, raw etcd puts (the
baseline), ConfigMap creates through the API server in-process, and ConfigMap
creates through the API over HTTP, with the same workers for the same time.
The table shows each one's median and its ratio to the baseline: only ratios
taken in one run mean anything on a shared, noisy machine.

Then, as root with containerd, runc, the CNI plugins and busybox-static
installed, measure pod start latency: in a network namespace of its own, a
private containerd, a control plane and one node start --pod-start-pods pods
one at a time (create → Running), beside the same number of bare containerd
containers with the same CNI networking, and print p50/p99 and their ratios.

etcd writes to $TMPDIR; its fsync latency is most of what a raw put costs, so
point TMPDIR at the disk a real server would use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			popts := bench.PodStartOptions{Pods: pods, Trials: opts.Trials, Progress: c.stderr}
			if podsOnly { // run again by ourselves, inside the namespace
				return bench.PodStart(cmd.Context(), c.stdout, popts)
			}
			opts.Progress = c.stderr
			if err := bench.Run(cmd.Context(), c.stdout, opts); err != nil {
				return err
			}
			restoreGC := tuneGCForSimulation() // as `tinykube sim` runs
			if err := simBench(c.stdout, c.stderr); err != nil {
				return err
			}
			if err := exploreBench(cmd.Context(), c.stdout, c.stderr); err != nil {
				return err
			}
			restoreGC()
			if err := hostileBench(cmd.Context(), c.stdout, c.stderr); err != nil {
				return err
			}
			if skipPods {
				fmt.Fprintln(c.stdout, "\npod start: skipped (--skip-pods)")
				return nil
			}
			if missing := bench.PodStartMissing(); len(missing) > 0 {
				fmt.Fprintf(c.stdout, "\npod start: skipped: %s; to measure it, run as root with `%s`\n",
					strings.Join(missing, ", "), bench.PodStartInstall)
				return nil
			}
			args := []string{"bench", "--pod-start-only", "--pod-start-pods", strconv.Itoa(pods), "--trials", strconv.Itoa(opts.Trials)}
			return bench.InOwnNetNS(cmd.Context(), args, c.stdout, c.stderr)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.Duration, "duration", 5*time.Second, "how long each trial runs")
	fl.IntVar(&opts.Workers, "workers", 8, "how many operations are in flight at once")
	fl.IntVar(&opts.Trials, "trials", 3, "how many trials of each measurement (the table shows the median; pod starts are pooled)")
	fl.IntVar(&pods, "pod-start-pods", 20, "how many pods (and bare containers) each pod start trial starts, one at a time")
	fl.BoolVar(&skipPods, "skip-pods", false, "skip the pod start measurement")
	fl.BoolVar(&podsOnly, "pod-start-only", false, "only the pod start measurement, in this process (it must already be in a network namespace of its own)")
	fl.MarkHidden("pod-start-only")
	return cmd
}
