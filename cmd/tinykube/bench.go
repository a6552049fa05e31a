package main

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/realnode/bench"
)

func (c *cli) benchCommand() *cobra.Command {
	var opts bench.Options
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure API creates against raw etcd puts, side by side, as ratios",
		Long: `Start a throwaway embedded etcd and measure, in turns, raw etcd puts (the
baseline), ConfigMap creates through the API server in-process, and ConfigMap
creates through the API over HTTP, with the same workers for the same time.
The table shows each one's median and its ratio to the baseline: only ratios
taken in one run mean anything on a shared, noisy machine.

etcd writes to $TMPDIR; its fsync latency is most of what a raw put costs, so
point TMPDIR at the disk a real server would use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Progress = c.stderr
			if err := bench.Run(cmd.Context(), c.stdout, opts); err != nil {
				return err
			}
			return simBench(c.stdout, c.stderr)
		},
	}
	fl := cmd.Flags()
	fl.DurationVar(&opts.Duration, "duration", 5*time.Second, "how long each trial runs")
	fl.IntVar(&opts.Workers, "workers", 8, "how many operations are in flight at once")
	fl.IntVar(&opts.Trials, "trials", 3, "how many trials of each measurement (the table shows the median)")
	return cmd
}
