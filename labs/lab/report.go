package lab

import (
	"fmt"
	"io"
	"strings"
)

// Passed reports whether every test that ran passed.
func (r Report) Passed() bool {
	for _, res := range r.Results {
		if res.Failure != nil {
			return false
		}
	}
	return true
}

// Points returns the points earned and the most that could be.
func (r Report) Points() (got, max int) {
	for _, res := range r.Results {
		got += res.Points()
		max += res.Test.Points
	}
	return got, max
}

// FirstFailure returns the first failing test's failure, or nil.
func (r Report) FirstFailure() *Failure {
	for _, res := range r.Results {
		if res.Failure != nil {
			return res.Failure
		}
	}
	return nil
}

// String is the report as a student reads it: one line per test, and
// under each failure what broke, how to replay it and what to reread.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Lab %s: %s\n", r.Lab.Number, r.Lab.Name)
	width := 20 // the names' column, wide enough for the longest
	for _, res := range r.Results {
		width = max(width, len(res.Test.Name))
	}
	for _, res := range r.Results {
		if res.Failure == nil {
			fmt.Fprintf(&b, "--- ok    %-*s (%s)\n", width, res.Test.Name, plural(res.Seeds, "seed"))
			continue
		}
		fmt.Fprintf(&b, "--- FAIL  %-*s (passed %s, failed on seed %d)\n", width, res.Test.Name, plural(res.Seeds, "seed"), res.Failure.Seed)
		res.Failure.write(&b, "    ")
	}
	got, total := r.Points()
	verdict := "PASS"
	if !r.Passed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "%s lab %s: %d/%d points\n", verdict, r.Lab.Number, got, total)
	return b.String()
}

func (f *Failure) write(w io.Writer, indent string) {
	fmt.Fprintf(w, "%sproperty: %s\n", indent, f.Property)
	// A message may span lines (a placement, a list of pods): indent
	// them all under the first.
	msg := strings.ReplaceAll(strings.TrimRight(f.Message, "\n"), "\n", "\n"+indent+"          ")
	fmt.Fprintf(w, "%son seed %d: %s\n", indent, f.Seed, msg)
	fmt.Fprintf(w, "%sreplay:   %s\n", indent, f.Replay)
	fmt.Fprintf(w, "%sreread:   %s\n", indent, f.Book)
}

// Grade runs every lab with o and writes, xv6-style, one line per test
// with its points, the first failure of each failing test, and the total.
// It returns the points earned and the most that could be.
func Grade(w io.Writer, labs []Lab, o Options) (got, max int, err error) {
	for _, l := range labs {
		rep, err := Run(l, o)
		if err != nil {
			return got, max, fmt.Errorf("lab %s: %w", l.Number, err)
		}
		fmt.Fprintf(w, "Lab %s: %s\n", l.Number, l.Name)
		for _, res := range rep.Results {
			verdict := "ok"
			if res.Failure != nil {
				verdict = "FAIL"
			}
			fmt.Fprintf(w, "== Test %s == %s (%d/%d)\n", res.Test.Name, verdict, res.Points(), res.Test.Points)
			if res.Failure != nil {
				res.Failure.write(w, "    ")
			}
		}
		g, m := rep.Points()
		got, max = got+g, max+m
	}
	fmt.Fprintf(w, "Score: %d/%d\n", got, max)
	return got, max, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
