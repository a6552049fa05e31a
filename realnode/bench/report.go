package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// writeTable prints one row per measurement: the medians of its trials'
// throughput, latencies and process CPU time per operation, and its
// throughput as a fraction of the first
// row's, the baseline. samples[j][t] is trial t of rows[j].
//
// The fraction is the median over rounds of the trial's rate divided by
// the baseline trial's of the same round, taken seconds apart: a machine
// that is busier in one round than another then moves both sides of a
// ratio, and the median drops the round it skewed most.
func writeTable(w io.Writer, rows []measurement, samples [][]sample) error {
	width := len("measurement")
	for _, m := range rows {
		width = max(width, len(m.name))
	}
	line := func(cells ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-*s %8s  %11s  %8s  %8s  %8s  %s", append([]any{width}, cells...)...), " "))
	}
	line("measurement", "ops/s", "vs baseline", "p50", "p99", "CPU/op", "")
	for j, m := range rows {
		ratios := make([]float64, len(samples[j]))
		for t, s := range samples[j] {
			ratios[t] = s.rate() / samples[0][t].rate()
		}
		line(m.name,
			fmt.Sprintf("%.0f", median(samples[j], sample.rate)),
			fmt.Sprintf("%.2f", medianOf(ratios)),
			ms(time.Duration(median(samples[j], func(s sample) float64 { return float64(s.p50) }))),
			ms(time.Duration(median(samples[j], func(s sample) float64 { return float64(s.p99) }))),
			ms2(time.Duration(median(samples[j], func(s sample) float64 { return float64(s.cpuPerOp()) }))),
			m.note)
	}
	_, err := fmt.Fprintln(w, "Each API create is 1 etcd round trip, like a put (namespaces come from a watched cache); the gap is CPU:\n"+
		"decoding, field checks, validation and encoding in the API server, and HTTP on both sides, all sharing this machine's cores with etcd.")
	return err
}

// median returns the median of f over samples, which must not be empty:
// with an even count, the mean of the middle two.
func median(samples []sample, f func(sample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
	return medianOf(v)
}

// medianOf returns the median of v, which must not be empty; it sorts v.
func medianOf(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// ms formats a latency in milliseconds with one decimal: "1.9ms".
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// ms2 formats a duration in milliseconds with two decimals: "0.28ms".
func ms2(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// writePodStartTable prints the pod start latencies of both sides, over
// every start of every trial, and tinykube's as a multiple of the
// baseline's at each percentile.
func writePodStartTable(w io.Writer, base, tk []time.Duration) error {
	line := func(cells ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-36s %6s  %8s  %8s  %8s  %8s  %s", cells...), " "))
	}
	line("measurement", "starts", "p50", "p99", "max", "p50 ×", "p99 ×")
	rows := []struct {
		name string
		d    []time.Duration
	}{{"bare containerd + CNI (baseline)", base}, {"tinykube pod, create → Running", tk}}
	q := func(d []time.Duration, at float64) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return quantile(s, at)
	}
	for _, r := range rows {
		line(r.name, fmt.Sprint(len(r.d)), ms(q(r.d, 0.5)), ms(q(r.d, 0.99)), ms(q(r.d, 1)),
			fmt.Sprintf("%.2f", float64(q(r.d, 0.5))/float64(q(base, 0.5))),
			fmt.Sprintf("%.2f", float64(q(r.d, 0.99))/float64(q(base, 0.99))))
	}
	_, err := fmt.Fprintln(w, "Baseline: podnet.Setup (CNI netns, veth, IP) + NewContainer with a new snapshot + NewTask + Start, through\n"+
		"containerd's Go client; it includes networking because every pod has it. tinykube: the create over HTTP until a\n"+
		"pod watch delivers phase Running with the container running — API, etcd writes, scheduler, kubelet, status\n"+
		"update and the watch on top of the same runtime work. One start at a time on both sides (aim: ≤ 1.5×).")
	return err
}
