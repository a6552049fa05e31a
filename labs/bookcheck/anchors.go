package bookcheck

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strings"
)

// Anchor is one reference from a chapter into the code.
type Anchor struct {
	Line    int    // 1-based line of the chapter the anchor is on
	Path    string // repository-relative file, e.g. core/api/quantity.go
	Pattern string // Go regular expression, without the slashes
}

// String returns the anchor as it is written in the chapter.
func (a Anchor) String() string { return a.Path + ":/" + a.Pattern + "/" }

// Problem is an anchor (or a chapter set) that does not resolve.
type Problem struct {
	File string // chapter, relative to the repository root
	Line int    // 0 when the problem is not about one line
	Msg  string
}

// String formats the problem the way compilers do, so editors can jump to it.
func (p Problem) String() string {
	if p.Line == 0 {
		return p.File + ": " + p.Msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// Result is what Check found.
type Result struct {
	// Anchors counts the anchors per chapter, keyed by the chapter's path.
	// Every chapter is present, with 0 when it has none.
	Anchors  map[string]int
	Problems []Problem
}

// BookDir is where the chapters live, relative to the repository root.
const BookDir = "book"

// Check resolves every anchor in root/book/*.md against the files under
// root, the repository's top directory.
func Check(root string) Result { return CheckFS(os.DirFS(root)) }

// CheckFS is Check on a file system whose root is the repository's top
// directory. It reports a problem when there are no chapters or no anchors
// at all, so that it cannot pass by looking in the wrong place.
func CheckFS(fsys fs.FS) Result {
	res := Result{Anchors: map[string]int{}}
	chapters, err := fs.Glob(fsys, BookDir+"/*.md")
	if err != nil {
		// Glob fails only on a malformed pattern, which ours is not.
		panic(err)
	}
	sort.Strings(chapters)
	if len(chapters) == 0 {
		res.Problems = append(res.Problems, Problem{File: BookDir, Msg: "no chapters (*.md) found"})
		return res
	}
	total := 0
	for _, ch := range chapters {
		text, err := fs.ReadFile(fsys, ch)
		if err != nil {
			res.Problems = append(res.Problems, Problem{File: ch, Msg: err.Error()})
			continue
		}
		anchors := FindAnchors(string(text))
		res.Anchors[ch] = len(anchors)
		total += len(anchors)
		for _, a := range anchors {
			if msg := Resolve(fsys, a); msg != "" {
				res.Problems = append(res.Problems, Problem{File: ch, Line: a.Line, Msg: msg})
			}
		}
	}
	if total == 0 {
		res.Problems = append(res.Problems, Problem{File: BookDir, Msg: fmt.Sprintf("no anchors in %d chapters", len(chapters))})
	}
	return res
}

// Resolve checks one anchor against fsys and returns what is wrong with it,
// or "" when it matches a line.
func Resolve(fsys fs.FS, a Anchor) string {
	if !fs.ValidPath(a.Path) {
		return fmt.Sprintf("anchor %s: %q is not a clean repository-relative path", a, a.Path)
	}
	re, err := regexp.Compile(a.Pattern)
	if err != nil {
		return fmt.Sprintf("anchor %s: bad regular expression: %v", a, err)
	}
	f, err := fsys.Open(a.Path)
	if err != nil {
		return fmt.Sprintf("anchor %s: no file %s", a, a.Path)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if re.Match(sc.Bytes()) {
			return ""
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Sprintf("anchor %s: reading %s: %v", a, a.Path, err)
	}
	return fmt.Sprintf("anchor %s matches no line of %s", a, a.Path)
}

// anchorRE is the shape of an anchor's inline-code span: a path made of
// the characters file names in this repository use, then ":/", a pattern
// that does not start with a slash (which would make it a URL), and "/".
var anchorRE = regexp.MustCompile(`^([A-Za-z0-9_.][A-Za-z0-9_./-]*):/([^/].*)/$`)

// FindAnchors returns the anchors in a Markdown text, in order. It reads
// inline-code spans the way CommonMark does on one line (a run of n
// backticks opens a span and the next run of exactly n closes it; one
// space of padding on both sides is dropped), and skips fenced code blocks.
func FindAnchors(markdown string) []Anchor {
	var out []Anchor
	fence := "" // the fence that opened the current code block, if any
	for i, line := range strings.Split(markdown, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t\r") == "" {
				fence = ""
			}
			continue
		}
		if f := fenceOf(trimmed); f != "" && len(line)-len(trimmed) < 4 {
			fence = f
			continue
		}
		for _, span := range codeSpans(line) {
			if m := anchorRE.FindStringSubmatch(span); m != nil {
				out = append(out, Anchor{Line: i + 1, Path: m[1], Pattern: m[2]})
			}
		}
	}
	return out
}

// fenceOf returns the fence (``` or ~~~, or longer) that line opens, or "".
func fenceOf(line string) string {
	for _, c := range []byte{'`', '~'} {
		n := 0
		for n < len(line) && line[n] == c {
			n++
		}
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// codeSpans returns the contents of the inline-code spans on one line.
func codeSpans(line string) []string {
	var out []string
	for i := 0; i < len(line); {
		if line[i] == '\\' { // an escaped backtick opens nothing
			i += 2
			continue
		}
		if line[i] != '`' {
			i++
			continue
		}
		n := run(line, i)
		closed := false
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := run(line, j)
			if m == n {
				s := line[i+n : j]
				if len(s) >= 2 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
					s = s[1 : len(s)-1]
				}
				out = append(out, s)
				i, closed = j+m, true
				break
			}
			j += m
		}
		if !closed {
			i += n // an unmatched run is literal backticks
		}
	}
	return out
}

// run returns the length of the run of backticks starting at line[i].
func run(line string, i int) int {
	n := 0
	for i+n < len(line) && line[i+n] == '`' {
		n++
	}
	return n
}
