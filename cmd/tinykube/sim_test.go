package main

import (
	"os"
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
