package metrics

import "testing"

var (
	tCounter = &Desc{Name: "t_total", Kind: Counter, Labels: []string{"a"}}
	tGauge   = &Desc{Name: "t_depth", Kind: Gauge}
	tHist    = &Desc{Name: "t_seconds", Kind: Histogram, Labels: []string{"a"}}
)

func TestMemory(t *testing.T) {
	m := NewMemory()
	m.Add(tCounter, 2, "x")
	m.Add(tCounter, 1, "x")
	m.Set(tGauge, 4)
	m.Add(tGauge, -1)
	m.Observe(tHist, 0.5, "y")
	m.Observe(tHist, 1.5, "y")
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{`Value(t_total, "x")`, m.Value(tCounter, "x"), 3},
		{`Value(t_total, "z")`, m.Value(tCounter, "z"), 0},
		{`Value(t_depth)`, m.Value(tGauge), 3},
		{`Value(t_seconds, "y")`, m.Value(tHist, "y"), 2},
		{`Count(t_seconds, "y")`, float64(m.Count(tHist, "y")), 2},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestMemoryMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(m *Memory)
	}{
		{"too few labels", func(m *Memory) { m.Add(tCounter, 1) }},
		{"counter goes down", func(m *Memory) { m.Add(tCounter, -1, "x") }},
		{"Set on a counter", func(m *Memory) { m.Set(tCounter, 1, "x") }},
		{"Observe on a gauge", func(m *Memory) { m.Observe(tGauge, 1) }},
		{"Add on a histogram", func(m *Memory) { m.Add(tHist, 1, "y") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic, want one naming the misuse", tc.name)
				}
			}()
			tc.do(NewMemory())
		})
	}
}
