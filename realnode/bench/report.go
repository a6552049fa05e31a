package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// writeTable prints one row per measurement: the medians of its trials
// and its throughput as a fraction of the first row's, the baseline.
// samples[j] holds the trials of rows[j].
func writeTable(w io.Writer, rows []measurement, samples [][]sample) error {
	line := func(cells ...any) {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-28s %8s  %11s  %8s  %8s  %s", cells...), " "))
	}
	line("measurement", "ops/s", "vs baseline", "p50", "p99", "")
	base := median(samples[0], sample.rate)
	for j, m := range rows {
		rate := median(samples[j], sample.rate)
		p50 := median(samples[j], func(s sample) float64 { return float64(s.p50) })
		p99 := median(samples[j], func(s sample) float64 { return float64(s.p99) })
		line(m.name, fmt.Sprintf("%.0f", rate), fmt.Sprintf("%.2f", rate/base),
			ms(time.Duration(p50)), ms(time.Duration(p99)), m.note)
	}
	_, err := fmt.Fprintln(w, "Each API create is 2 etcd round trips (a Get of its namespace, then the create txn); a raw put is 1.")
	return err
}

// median returns the median of f over samples, which must not be empty;
// with an even count, the mean of the middle two.
func median(samples []sample, f func(sample) float64) float64 {
	v := make([]float64, len(samples))
	for i, s := range samples {
		v[i] = f(s)
	}
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
