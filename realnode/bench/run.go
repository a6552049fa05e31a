package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"go.etcd.io/etcd/api/v3/version"

	"github.com/tinykube/tinykube/realnode/etcdstore"
)

// Options say how long and how hard to measure. Zero fields take the
// defaults in brackets.
type Options struct {
	// Duration is how long each trial runs [5s].
	Duration time.Duration
	// Workers is how many operations are in flight at once: that many
	// goroutines each issue one operation after another [8].
	Workers int
	// Trials is how many trials of each measurement run, taking turns
	// in rounds (baseline, in-process, HTTP, baseline, …); the table shows
	// the medians, and each row's median ratio to the baseline trial of
	// the same round [3].
	Trials int
	// SchedulerNodes are the cluster sizes of the end-to-end scheduler
	// rows [1000 and 5000 nodes]; SchedulerPods is how many pods each
	// creates [10,000].
	SchedulerNodes []int
	SchedulerPods  int
	// Progress receives a line as each trial starts and ends; nil discards
	// them.
	Progress io.Writer
}

// withDefaults fills zero fields and refuses negative ones.
func (o Options) withDefaults() (Options, error) {
	if o.Duration < 0 || o.Workers < 0 || o.Trials < 0 || o.SchedulerPods < 0 {
		return o, fmt.Errorf("bench: duration %v, workers %d, trials %d and scheduler pods %d must not be negative", o.Duration, o.Workers, o.Trials, o.SchedulerPods)
	}
	if o.Duration == 0 {
		o.Duration = 5 * time.Second
	}
	if o.Workers == 0 {
		o.Workers = 8
	}
	if o.Trials == 0 {
		o.Trials = 3
	}
	if o.SchedulerNodes == nil {
		o.SchedulerNodes = schedE2ESizes
	}
	if o.SchedulerPods == 0 {
		o.SchedulerPods = schedE2EPods
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o, nil
}

// Run starts an embedded etcd in a temporary directory, measures raw etcd
// puts, in-process API creates and API creates over HTTP as opts say, and
// writes the table of medians and ratios to w. Everything it started is
// stopped and the directory removed before it returns, also when ctx ends
// (Ctrl-C) or a measurement fails.
func Run(ctx context.Context, w io.Writer, opts Options) (err error) {
	opts, err = opts.withDefaults()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "tinykube-bench-")
	if err != nil {
		return fmt.Errorf("bench: a directory for etcd: %v (set TMPDIR to a writable directory)", err)
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(opts.Progress, "starting etcd in %s\n", dir)
	cfg, err := loopbackEtcd(filepath.Join(dir, "etcd"))
	if err != nil {
		return err
	}
	etcd, err := etcdstore.StartEmbedded(cfg)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer etcd.Close()

	rows := []measurement{
		rawPuts(etcd.Client()),
		localCreates(etcd.Client()),
		httpCreates(etcd.Client(), opts.Workers),
		measuredCreates(etcd.Client(), opts.Workers),
		protobufCreates(etcd.Client(), opts.Workers),
		customCreates(etcd.Client(), opts.Workers),
	}
	// A short untimed round first: connections, etcd's first WAL segment
	// and the Go runtime's heap are then warm for every timed trial.
	warm := min(opts.Duration/5, time.Second)
	for j, m := range rows {
		if _, err := trial(ctx, m, fmt.Sprintf("/bench/warmup-%d/", j), opts.Workers, warm); err != nil {
			return fmt.Errorf("bench: %s, warm-up: %w", m.name, err)
		}
	}
	samples := make([][]sample, len(rows))
	for t := range opts.Trials {
		for j, m := range rows {
			fmt.Fprintf(opts.Progress, "trial %d/%d: %-26s ", t+1, opts.Trials, m.name)
			s, err := trial(ctx, m, fmt.Sprintf("/bench/%d-%d/", t, j), opts.Workers, opts.Duration)
			if err != nil {
				fmt.Fprintln(opts.Progress, "failed")
				if ctx.Err() != nil {
					return fmt.Errorf("bench: stopped during %s, trial %d: %w", m.name, t+1, ctx.Err())
				}
				return fmt.Errorf("bench: %s, trial %d: %w", m.name, t+1, err)
			}
			fmt.Fprintf(opts.Progress, "%6.0f ops/s  p50 %s  p99 %s\n", s.rate(), ms(s.p50), ms(s.p99))
			samples[j] = append(samples[j], s)
		}
	}
	fmt.Fprintf(w, "tinykube bench — %d cores, %s, embedded etcd v%s, %d workers, %v × %d trials each (median)\n",
		runtime.NumCPU(), runtime.Version(), version.Version, opts.Workers, opts.Duration, opts.Trials)
	if err := writeTable(w, rows, samples); err != nil {
		return err
	}
	if err := runSchedulerRows(ctx, w, opts.Progress, opts.Duration); err != nil {
		return err
	}
	return runSchedulerE2ERows(ctx, etcd.Client(), w, opts.Progress, opts.SchedulerNodes, opts.SchedulerPods, opts.Workers)
}

// trial runs one trial of m with its keys under prefix.
func trial(ctx context.Context, m measurement, prefix string, workers int, d time.Duration) (sample, error) {
	do, stop, err := m.start(ctx, prefix)
	if err != nil {
		return sample{}, err
	}
	defer stop()
	return drive(ctx, workers, d, do)
}

// loopbackEtcd configures an etcd in dataDir on two free loopback ports,
// found by listening on port 0 and closing. Another process could take
// them in between; StartEmbedded then fails and says so.
func loopbackEtcd(dataDir string) (etcdstore.EmbedConfig, error) {
	var urls []string
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return etcdstore.EmbedConfig{}, fmt.Errorf("bench: finding a free loopback port for etcd: %v", err)
		}
		urls = append(urls, "http://"+l.Addr().String())
		l.Close()
	}
	return etcdstore.EmbedConfig{DataDir: dataDir, ClientURL: urls[0], PeerURL: urls[1]}, nil
}
