package cluster

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/sim/scenario"
)

var update = flag.Bool("update", false, "rewrite the golden timelines in testdata/golden from this run")

// goldenRuns are the example scenarios whose story is checked in, each on
// one fixed seed: what a reader of the book replays first. Each binding
// comes with the node it went to and the scores behind the choice
// (scores.go), so a change of scoring shows even where no pod moves;
// binpack-full is there for MostAllocated and FailedScheduling.
var goldenRuns = []struct {
	scenario string // file name in examples/scenarios, without .yaml
	seed     uint64
}{
	{"node-crash", 1},
	{"rolling-update", 1},
	{"leader-failover", 1},
	{"statefulset", 1},
	{"binpack-full", 1},
}

// updateCommand is what rewrites the golden files.
const updateCommand = "go test ./sim/cluster -run Golden -update"

// TestGoldenTimelines runs each golden scenario on its seed and compares
// the run's story (Trace.Story: faults, checks, crashes, leader changes,
// scores and the components' Events, no API calls) with
// testdata/golden/<scenario>.timeline. A difference is a change of
// behaviour: read the diff, and if the new story is the one intended,
// rewrite the files with -update and commit them with the change.
func TestGoldenTimelines(t *testing.T) {
	for _, g := range goldenRuns {
		t.Run(g.scenario, func(t *testing.T) {
			s := loadGolden(t, g.scenario)
			got := goldenStory(t, s, g.scenario, g.seed)
			file := goldenFile(g.scenario)
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v\nwrite it with: %s", err, updateCommand)
			}
			if msg := goldenDiff(file, string(want), got); msg != "" {
				t.Error(msg)
			}
		})
	}
}

// TestGoldenTimelinesCatchAChange shows that the golden comparison can
// fail: node-crash run with the scheduler bin-packing (MostAllocated)
// instead of spreading must differ from its golden story in the nodes
// its pods are bound to, and the report must say how to update.
func TestGoldenTimelinesCatchAChange(t *testing.T) {
	s := loadGolden(t, "node-crash")
	s.Cluster.Scoring = "MostAllocated"
	got := goldenStory(t, s, "node-crash", 1)
	file := goldenFile("node-crash")
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	msg := goldenDiff(file, string(want), got)
	if msg == "" {
		t.Fatal("node-crash with MostAllocated scoring tells the same story as its golden file, want a difference in the bindings")
	}
	for _, part := range []string{"(-want +got)", "\n- ", "\n+ ", "Successfully assigned default/web-", updateCommand} {
		if !strings.Contains(msg, part) {
			t.Errorf("the report of a changed story does not contain %q:\n%s", part, msg)
		}
	}
	t.Logf("what a changed story reports:\n%s", msg)
}

func TestGoldenLineDiff(t *testing.T) {
	want := strings.Split("a b c d e f g h i j", " ")
	got := strings.Split("a b c D e f g h i j k", " ")
	const report = `@@ line 2 @@
  b
  c
- d
+ D
  e
  f
@@ line 9 @@
  i
  j
+ k
`
	if d := lineDiff(want, got); d != report {
		t.Errorf("lineDiff =\n%s\nwant\n%s", d, report)
	}
	if d := lineDiff(want, want); d != "" {
		t.Errorf("lineDiff of equal lines = %q, want nothing", d)
	}
}

func loadGolden(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	s, err := scenario.Load(goldenScenario(name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func goldenScenario(name string) string {
	return filepath.Join("../../examples/scenarios", name+".yaml")
}

func goldenFile(name string) string {
	return filepath.Join("testdata/golden", name+".timeline")
}

// goldenStory runs s on seed and returns the golden file's text: a header
// saying what ran and how to regenerate it, the story's lines exactly as
// `tinykube sim run --story` prints them, and the verdict.
func goldenStory(t *testing.T, s *scenario.Scenario, name string, seed uint64) string {
	t.Helper()
	c, err := New(s, seed)
	if err != nil {
		t.Fatalf("%s seed %d: %v", name, seed, err)
	}
	c.W.Trace.Story = true
	r := c.Run()
	path := "examples/scenarios/" + name + ".yaml"
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Golden timeline: the story of %s, seed %d\n", path, seed)
	fmt.Fprintf(&b, "# (faults, checks, crashes, leader changes, the scheduler's scores and\n")
	fmt.Fprintf(&b, "# the components' Events; no API calls). The same lines, and the run's\n")
	fmt.Fprintf(&b, "# summary after them:\n")
	fmt.Fprintf(&b, "#   tinykube sim run %s --seed %d --story\n", path, seed)
	fmt.Fprintf(&b, "# Checked by TestGoldenTimelines (sim/cluster/golden_test.go). After an\n")
	fmt.Fprintf(&b, "# intended change of behaviour, rewrite it and read the diff:\n")
	fmt.Fprintf(&b, "#   %s\n", updateCommand)
	if err := c.W.Trace.WriteTimeline(&b); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "# end at %v: %s\n", r.At, verdict(r))
	return b.String()
}

// verdict says in a few words how a run ended.
func verdict(r Result) string {
	switch {
	case r.Violation == nil && r.AsExpected():
		return "ok, no invariant violated"
	case r.AsExpected():
		return "as expected, " + r.Violation.Error()
	case r.Violation == nil:
		return "FAIL: no " + r.Expect + " violation, which the scenario is built to show"
	default:
		return "FAIL: " + r.Violation.Error()
	}
}

// goldenDiff returns "" when got equals want, the golden file's text, and
// otherwise a report: the lines that differ (lineDiff) and the command
// that rewrites the file.
func goldenDiff(file, want, got string) string {
	if want == got {
		return ""
	}
	d := lineDiff(strings.Split(strings.TrimSuffix(want, "\n"), "\n"), strings.Split(strings.TrimSuffix(got, "\n"), "\n"))
	return fmt.Sprintf("%s: the run's story changed (-want +got):\n%sIf the new story is intended, rewrite the golden files with\n  %s\nand read their diff before committing it.", file, d, updateCommand)
}

// Limits of lineDiff: equal lines shown around each change, and lines in
// all (the rest is counted: the file's own diff after -update shows it).
const (
	diffContext  = 2
	maxDiffLines = 60
)

// lineDiff returns a unified-style diff of two lists of lines, whole lines
// only: "-" for a line only in want, "+" for one only in got, "  " for
// diffContext equal lines around each change, and "@@ line N @@" (N in
// want) where a run of changes starts after lines left out.
func lineDiff(want, got []string) string {
	// lcs[i][j] is the length of the longest common subsequence of
	// want[i:] and got[j:].
	lcs := make([][]int, len(want)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(got)+1)
	}
	for i := len(want) - 1; i >= 0; i-- {
		for j := len(got) - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		mark string // "  ", "- " or "+ "
		line string
		at   int // line number in want (1-based) where the op stands
	}
	var ops []op
	for i, j := 0, 0; i < len(want) || j < len(got); {
		switch {
		case i < len(want) && j < len(got) && want[i] == got[j]:
			ops = append(ops, op{"  ", want[i], i + 1})
			i, j = i+1, j+1
		case i < len(want) && (j == len(got) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{"- ", want[i], i + 1})
			i++
		default:
			ops = append(ops, op{"+ ", got[j], i + 1})
			j++
		}
	}
	// Show each change and the equal lines near one.
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.mark != "  " {
			for c := max(0, k-diffContext); c <= min(len(ops)-1, k+diffContext); c++ {
				show[c] = true
			}
		}
	}
	var b strings.Builder
	lines, left := 0, 0
	for k, o := range ops {
		if !show[k] {
			continue
		}
		if lines == maxDiffLines {
			if o.mark != "  " {
				left++
			}
			continue
		}
		if k == 0 || !show[k-1] {
			fmt.Fprintf(&b, "@@ line %d @@\n", o.at)
		}
		fmt.Fprintf(&b, "%s%s\n", o.mark, o.line)
		lines++
	}
	if left > 0 {
		fmt.Fprintf(&b, "… and %d more changed lines\n", left)
	}
	return b.String()
}
