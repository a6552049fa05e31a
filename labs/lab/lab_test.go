package lab

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tinykube/tinykube/sim/cluster"
)

// toy is a lab whose second test fails on about one seed in seven, with a
// message that depends on what the seed drew.
func toy() Lab {
	return Lab{Number: "99", Name: "a toy", Book: "book/README.md", Tests: []Test{
		{Name: "Always", Points: 5, Property: "nothing fails", Check: func(*Env) error { return nil }},
		{Name: "Sometimes", Points: 10, Property: "draws are not multiples of 7", Book: "book/99.md, \"Lab\"",
			Check: func(e *Env) error {
				for i := range 3 {
					if v := e.Rand.IntN(50); v%7 == 0 && i == 2 {
						return fmt.Errorf("draw %d was %d", i, v)
					}
				}
				return nil
			}},
		{Name: "Panics", Points: 1, Property: "no panic", Check: func(*Env) error { panic("boom") }},
	}}
}

func TestSameSeedSameReportByteForByte(t *testing.T) {
	a, err := Run(toy(), Options{Seeds: 100})
	if err != nil {
		t.Fatal(err)
	}
	f := a.Results[1].Failure
	if f == nil {
		t.Fatal("Sometimes passed 100 seeds; the toy should fail one")
	}
	// Twice the same run, then the replay of the failing seed alone.
	b, _ := Run(toy(), Options{Seeds: 100})
	if a.String() != b.String() {
		t.Errorf("two runs differ:\n%s\n---\n%s", a, b)
	}
	r, _ := Run(toy(), Options{Seed: f.Seed, Run: f.Test})
	if got := r.FirstFailure(); got == nil || *got != *f {
		t.Errorf("replaying seed %d: failure %+v, want %+v", f.Seed, got, f)
	}
	want := fmt.Sprintf("make lab NN=99 SEED=%d RUN=Sometimes", f.Seed)
	if f.Replay != want {
		t.Errorf("Replay = %q, want %q", f.Replay, want)
	}
	if f.Book != "book/99.md, \"Lab\"" {
		t.Errorf("Book = %q, want the test's own section", f.Book)
	}
}

func TestPanicIsAFailureNotACrash(t *testing.T) {
	r, err := Run(toy(), Options{Seeds: 3, Run: "Panics"})
	if err != nil {
		t.Fatal(err)
	}
	f := r.FirstFailure()
	if f == nil || f.Seed != 1 || !strings.Contains(f.Message, "panic: boom") {
		t.Errorf("failure = %+v, want a panic on seed 1", f)
	}
}

func TestRunSelects(t *testing.T) {
	for _, tc := range []struct {
		run  string
		want []string
	}{
		{"", []string{"Always", "Sometimes", "Panics"}},
		{"Always", []string{"Always"}},
		{"^S|^P", []string{"Sometimes", "Panics"}},
	} {
		r, err := Run(toy(), Options{Seeds: 1, Run: tc.run})
		if err != nil {
			t.Fatalf("Run=%q: %v", tc.run, err)
		}
		var got []string
		for _, res := range r.Results {
			got = append(got, res.Test.Name)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("Run=%q ran %v, want %v", tc.run, got, tc.want)
		}
	}
	if _, err := Run(toy(), Options{Run: "Nope"}); err == nil || !strings.Contains(err.Error(), "Always") {
		t.Errorf("Run=Nope: error %v, want one listing the tests", err)
	}
}

func TestGradePrintsPointsPerTest(t *testing.T) {
	var b bytes.Buffer
	got, max, err := Grade(&b, []Lab{toy()}, Options{Seeds: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got != 5 || max != 16 {
		t.Errorf("Grade = %d/%d, want 5/16", got, max)
	}
	for _, line := range []string{"== Test Always == ok (5/5)\n", "== Test Sometimes == FAIL (0/10)\n", "Score: 5/16\n"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("Grade output lacks %q:\n%s", line, b.String())
		}
	}
}

func TestNear(t *testing.T) {
	for _, d := range []time.Duration{0, time.Millisecond / 2, time.Millisecond, 10 * time.Second} {
		seen := map[string]bool{}
		e := NewEnv(1)
		for range 400 {
			got := e.Near(d)
			if got < 0 || got > 2*d+time.Millisecond {
				t.Fatalf("Near(%v) = %v, want it in [0, %v]", d, got, 2*d+time.Millisecond)
			}
			switch got {
			case d:
				seen["d"] = true
			case max(0, d-time.Millisecond):
				seen["just below"] = true
			case d + time.Millisecond:
				seen["just above"] = true
			default:
				seen["elsewhere"] = true
			}
		}
		want := []string{"d", "just below", "just above", "elsewhere"}
		if d == 0 {
			want = []string{"d", "just above"} // below and elsewhere are 0
		}
		for _, w := range want {
			if !seen[w] {
				t.Errorf("Near(%v) 400 times never drew %s (drew %v)", d, w, seen)
			}
		}
	}
}

// Simulate reads the scenario from the lab's folder, names a bad one by
// its path, and puts what the plugins recorded as missing before any
// other verdict.
func TestSimulateSetUp(t *testing.T) {
	const tiny = "name: tiny\nduration: 2s\ncluster: {nodes: 1}\n"
	scenarios := fstest.MapFS{
		"scenarios/tiny.yaml":   {Data: []byte(tiny)},
		"scenarios/broken.yaml": {Data: []byte("name: [\n")},
	}
	errMissing := errors.New("Decide is not implemented yet")
	for _, tt := range []struct {
		file    string
		missing error
		after   error
		want    string // the error's start, "" for none
	}{
		{file: "tiny.yaml"},
		{file: "tiny.yaml", missing: errMissing, after: errors.New("judged"), want: errMissing.Error()},
		{file: "tiny.yaml", after: errors.New("judged"), want: "at "},
		{file: "broken.yaml", want: "scenarios/broken.yaml: "},
		{file: "absent.yaml", want: "open scenarios/absent.yaml: "},
	} {
		missing := tt.missing
		err := Simulate(NewEnv(1), Sim{
			Scenarios: scenarios, File: tt.file, Missing: &missing,
			After: func(*cluster.Cluster) error { return tt.after },
		})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Simulate(%s) = %v, want nil", tt.file, err)
		case tt.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.want)):
			t.Errorf("Simulate(%s) = %v, want an error starting %q", tt.file, err, tt.want)
		}
	}
}
