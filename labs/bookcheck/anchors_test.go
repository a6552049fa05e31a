package bookcheck

import (
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestBookAnchorsResolve checks every anchor in the real book against the
// real code. The test runs in labs/bookcheck, two levels below the root.
func TestBookAnchorsResolve(t *testing.T) {
	res := Check("../..")
	for _, p := range res.Problems {
		t.Error(p)
	}
	var chapters []string
	for ch := range res.Anchors {
		chapters = append(chapters, ch)
	}
	sort.Strings(chapters)
	for _, ch := range chapters {
		t.Logf("%s: %d anchors", ch, res.Anchors[ch])
	}
}

// TestCheckerCatchesBrokenAnchors proves the checker can fail: each case is
// a small book over a small repository, and lists the problems it must
// report.
func TestCheckerCatchesBrokenAnchors(t *testing.T) {
	code := &fstest.MapFile{Data: []byte("package x\n\nfunc (s *Server) update() {}\n\nfunc Fit() bool { return true }\n")}
	tests := []struct {
		name    string
		chapter string // book/01-x.md; omitted when ""
		want    []string
	}{
		{
			name:    "all resolve",
			chapter: "Intro.\n\nSee `core/x.go:/^func \\(s \\*Server\\) update/` and\n`core/x.go:/^func Fit/`.\n",
			want:    nil,
		},
		{
			name:    "missing file",
			chapter: "a\nb `core/nope.go:/^func Fit/`\n",
			want:    []string{"book/01-x.md:2: anchor core/nope.go:/^func Fit/: no file core/nope.go"},
		},
		{
			name:    "bad regex",
			chapter: "`core/x.go:/^func (Fit/`\n",
			want:    []string{"book/01-x.md:1: anchor core/x.go:/^func (Fit/: bad regular expression: error parsing regexp: missing closing ): `^func (Fit`"},
		},
		{
			name:    "no matching line",
			chapter: "one\ntwo\nthree `core/x.go:/^func Y/`\n",
			want:    []string{"book/01-x.md:3: anchor core/x.go:/^func Y/ matches no line of core/x.go"},
		},
		{
			name:    "unclean path",
			chapter: "`core/../x.go:/^func Fit/` `/etc/passwd:/root/`\n",
			want: []string{
				`book/01-x.md:1: anchor core/../x.go:/^func Fit/: "core/../x.go" is not a clean repository-relative path`,
			},
		},
		{
			name:    "fenced blocks and URLs are not anchors",
			chapter: "```\n`core/nope.go:/^x/`\n```\nSee `http://localhost:8080/` and `a:b`.\n~~~go\n`core/nope.go:/^x/`\n~~~\n",
			want:    []string{"book: no anchors in 1 chapters"},
		},
		{
			name:    "no chapters",
			chapter: "",
			want:    []string{"book: no chapters (*.md) found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"core/x.go": code}
			if tt.chapter != "" {
				fsys["book/01-x.md"] = &fstest.MapFile{Data: []byte(tt.chapter)}
			}
			var got []string
			for _, p := range CheckFS(fsys).Problems {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckFS problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFindAnchors pins down the Markdown parsing.
func TestFindAnchors(t *testing.T) {
	md := strings.Join([]string{
		"# Title", // 1
		"Plain `code` and `core/a.go:/^func A/`.", // 2
		"Double ``core/b.go:/x`y/`` backticks.",   // 3
		"Padded `` core/c.go:/^type C/ `` span.",  // 4
		"Escaped \\`core/d.go:/no/\\` is text.",   // 5
		"Unclosed ` then `core/e.go:/^e$/`",       // 6
		"    ```",                                 // 7: indented 4, not a fence
		"`Makefile:/^test:/`",                     // 8
	}, "\n")
	want := []Anchor{
		{Line: 2, Path: "core/a.go", Pattern: "^func A"},
		{Line: 3, Path: "core/b.go", Pattern: "x`y"},
		{Line: 4, Path: "core/c.go", Pattern: "^type C"},
		{Line: 8, Path: "Makefile", Pattern: "^test:"},
	}
	if diff := cmp.Diff(want, FindAnchors(md)); diff != "" {
		t.Errorf("FindAnchors (-want +got):\n%s", diff)
	}
}
