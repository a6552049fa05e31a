package core

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// forbiddenImports do IO or reach outside the process.
var forbiddenImports = map[string]string{
	"os":          "file and process access",
	"os/exec":     "running processes",
	"os/signal":   "signals",
	"io/ioutil":   "file access",
	"syscall":     "system calls",
	"net":         "sockets",
	"net/rpc":     "sockets",
	"crypto/rand": "unseeded randomness",
	"math/rand":   "math/rand; use a *rand.Rand from math/rand/v2 handed in by the caller",
	"log":         "writing to stderr; return errors or record events instead",
}

// allowedIdents lists, per import, the only identifiers core may use from
// it (nil: everything). Constructors of seeded generators and types are
// fine; the package-level functions that draw from a global source or read
// the clock are not.
var allowedIdents = map[string]func(string) bool{
	"math/rand/v2": func(id string) bool {
		switch id {
		case "New", "NewPCG", "NewChaCha8", "NewZipf", "Rand", "Source", "PCG", "ChaCha8", "Zipf":
			return true
		}
		return false
	},
	"time": func(id string) bool {
		switch id {
		case "Now", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker", "Since", "Until":
			return false
		}
		return true
	},
	"net/http": func(id string) bool {
		// Status codes and method names only: no clients or servers.
		return strings.HasPrefix(id, "Status") || strings.HasPrefix(id, "Method")
	},
}

// violations returns one line per breach of the determinism rule in a Go
// source file.
func violations(fset *token.FileSet, f *ast.File) []string {
	var out []string
	report := func(pos token.Pos, format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: %s", fset.Position(pos), fmt.Sprintf(format, args...)))
	}
	names := map[string]string{} // local import name -> path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if why, bad := forbiddenImports[path]; bad {
			report(imp.Pos(), "imports %q (%s)", path, why)
		}
		name := path[strings.LastIndex(path, "/")+1:]
		if path == "math/rand/v2" {
			name = "rand"
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		names[name] = path
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(n.Pos(), "starts a goroutine")
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && id.Obj == nil {
				if allowed, checked := allowedIdents[names[id.Name]]; checked && !allowed(n.Sel.Name) {
					report(n.Pos(), "uses %s.%s", names[id.Name], n.Sel.Name)
				}
			}
		}
		return true
	})
	return out
}

// TestCoreIsDeterministic scans every non-test Go file under core/.
func TestCoreIsDeterministic(t *testing.T) {
	var all []string
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		// Object resolution (the default) marks identifiers declared in the
		// file, so a local variable named "time" is not taken for the package.
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files++
		all = append(all, violations(fset, f)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("scanned only %d files: is the test running in core/?", files)
	}
	sort.Strings(all)
	for _, v := range all {
		t.Errorf("determinism rule broken: %s", v)
	}
}

// TestScannerCatchesViolations proves the scanner is not blind: each
// snippet breaks the rule once, and a clean one passes.
func TestScannerCatchesViolations(t *testing.T) {
	tests := []struct {
		name, src string
		want      int
	}{
		{"goroutine", `package p; func f() { go f() }`, 1},
		{"wall clock", `package p; import "time"; var x = time.Now()`, 1},
		{"sleep", `package p; import "time"; func f() { time.Sleep(1) }`, 1},
		{"timer", `package p; import "time"; var c = time.After(1)`, 1},
		{"renamed time", `package p; import tm "time"; var x = tm.Since(tm.Time{})`, 1},
		{"global rand v1", `package p; import "math/rand"; var x = rand.Intn(3)`, 1},
		{"global rand v2", `package p; import "math/rand/v2"; var x = rand.IntN(3)`, 1},
		{"os", `package p; import "os"; var x, _ = os.ReadFile("f")`, 1},
		{"net", `package p; import "net"; var x, _ = net.Dial("tcp", "a")`, 1},
		{"http client", `package p; import "net/http"; var x, _ = http.Get("u")`, 1},
		{"local shadows import", `package p; import "time"; func f(time struct{ Now func() }) { time.Now() }`, 0},
		{"clean", `package p
import ("time"; "net/http"; "math/rand/v2")
var d = time.Second
var c = http.StatusNotFound
var m = http.MethodGet
var r = rand.New(rand.NewPCG(1, 2))
func f(now time.Time) time.Time { return now.Add(d) }`, 0},
	}
	for _, tt := range tests {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, tt.name+".go", tt.src, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := violations(fset, f); len(got) != tt.want {
			t.Errorf("%s: violations = %q, want %d", tt.name, got, tt.want)
		}
	}
}
