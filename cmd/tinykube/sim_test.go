package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// `sim run --story` prints what the golden file of the same scenario and
// seed holds (sim/cluster's TestGoldenTimelines), line for line, then the
// run's summary: a user sees the story the tests check.
func TestSimRunStoryIsTheGoldenTimeline(t *testing.T) {
	code, out, errOut := tk(t, "", "", "sim", "run", "../../examples/scenarios/node-crash.yaml", "--seed", "1", "--story")
	if code != 0 {
		t.Fatalf("sim run --story = %d\n%s%s", code, out, errOut)
	}
	golden, err := os.ReadFile("../../sim/cluster/testdata/golden/node-crash.timeline")
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, l := range strings.Split(string(golden), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "node-crash seed 1:") {
			break // the summary
		}
		got = append(got, l)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sim run node-crash.yaml --seed 1 --story differs from sim/cluster/testdata/golden/node-crash.timeline (-golden +printed):\n%s", d)
	}
	for _, l := range got {
		if apiCall.MatchString(l) || strings.Contains(l, "watch stream cut") {
			t.Errorf("--story printed an API call or a detail: %q", l)
		}
	}
}

// apiCall matches a timeline line of an API call ("POST /api/v1/... -> 201"),
// not a proxy's route ("route default/web:http -> 10.0.0.1").
var apiCall = regexp.MustCompile(`\b(GET|POST|PUT|PATCH|DELETE) /\S* .*-> `)

// `sim explore -j 4` prints what `-j 1` prints, byte for byte, exits with
// the same code and writes the same shrunk scenario: on a scenario whose
// failures start at the third seed (seeds that pass run 90 virtual
// seconds, a failure 15 milliseconds, so with four workers later seeds
// fail before earlier ones finish), and on a clean one. Its progress
// says seeds per minute.
func TestSimExploreSameOutputForAnyJobs(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../sim/cluster/testdata/tight-chaos.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.yaml")
	if err := os.WriteFile(broken, []byte(strings.Replace(string(src), "cluster:\n", "cluster:\n  broken: scheduler-ignores-assumed-pods\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	shrunk := filepath.Join(dir, "broken.seed-3.min.yaml")
	progress := regexp.MustCompile(`(?m)^(\d+)/(\d+) seeds, \d+ failed, \d+ seeds/min, \d+x real time \(-j (\d+)\)$`)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // a line the output must hold
		shrunk   string // the shrunk scenario it must write, or ""
	}{
		{"failures from seed 3", []string{broken, "--seeds", "6", "--from", "2"}, 1,
			"tight-chaos: 6 seeds from 2, 4 failed (seeds 3, 4, 5, 6)", shrunk},
		{"clean", []string{"../../examples/scenarios/short-partition.yaml", "--seeds", "4"}, 0,
			"short-partition: 4 seeds from 1, 0 failed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				code        int
				out, shrunk string
			}
			var results []result
			for _, jobs := range []string{"1", "4"} {
				os.Remove(shrunk)
				code, out, errOut := tk(t, "", "", append([]string{"sim", "explore", "-j", jobs}, tt.args...)...)
				if code != tt.wantCode || !strings.Contains(out, tt.wantOut+"\n") {
					t.Fatalf("sim explore -j %s %s = %d, want %d and %q\n%s%s", jobs, strings.Join(tt.args, " "), code, tt.wantCode, tt.wantOut, out, errOut)
				}
				lines := progress.FindAllStringSubmatch(errOut, -1)
				if len(lines) == 0 || lines[len(lines)-1][1] != lines[len(lines)-1][2] || lines[len(lines)-1][3] != jobs {
					t.Errorf("sim explore -j %s: stderr = %q, want a last progress line of all seeds, in seeds/min, saying -j %s", jobs, errOut, jobs)
				}
				r := result{code: code, out: out}
				if tt.shrunk != "" {
					b, err := os.ReadFile(tt.shrunk)
					if err != nil {
						t.Fatalf("sim explore -j %s wrote no shrunk scenario: %v", jobs, err)
					}
					r.shrunk = string(b)
				}
				results = append(results, r)
			}
			if d := cmp.Diff(results[0], results[1], cmp.AllowUnexported(result{})); d != "" {
				t.Errorf("sim explore -j 4 differs from -j 1 (-j 1 +j 4):\n%s", d)
			}
		})
	}
	if code, _, errOut := tk(t, "", "", "sim", "explore", "-j", "0", broken); code == 0 || !strings.Contains(errOut, "-j 0") {
		t.Errorf("sim explore -j 0 = %d %q, want an error naming -j 0", code, errOut)
	}
}
