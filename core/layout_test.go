package core

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layoutRule is one row of DESIGN.md's layout table: what the packages in
// folder (and below it) may import.
type layoutRule struct {
	folder string // module-relative, e.g. "core" or "core/api"
	// may lists the module's folders whose packages (and the packages
	// below them) folder's packages may import.
	may []string
	// stdlibOnly forbids imports from outside the module as well, except
	// the standard library, in the files the package ships (not its tests).
	stdlibOnly bool
}

// layoutRules is DESIGN.md's table. The most specific folder wins. cmd/
// has no row: the binary may import everything.
//
// The rules between the module's folders hold for test files too. A core
// test that imported sim would make core's tests depend on the simulator
// that is built on core (and would have to live in sim/ to compile anyway
// when it is an internal test); DESIGN.md's table grants tests no
// exception, so neither does this check. The one allowance is test
// libraries outside the module (go-cmp, rapid) in core/api's tests: "stdlib
// only" is about what the package ships, and STYLE.md asks for cmp.Diff.
var layoutRules = []layoutRule{
	{folder: "core", may: []string{"core"}},
	{folder: "core/api", may: []string{"core/api"}, stdlibOnly: true},
	{folder: "core/store", may: []string{"core/api", "core/store"}},
	{folder: "sim", may: []string{"core", "sim"}},
	{folder: "labs", may: []string{"core", "sim", "labs"}},
	{folder: "realnode", may: []string{"core", "realnode"}},
}

// within reports whether the slash path p is folder or lies below it.
func within(p, folder string) bool {
	return p == folder || strings.HasPrefix(p, folder+"/")
}

// ruleFor returns the most specific rule covering the module-relative
// directory dir, or nil when none does.
func ruleFor(dir string) *layoutRule {
	var best *layoutRule
	for i, r := range layoutRules {
		if within(dir, r.folder) && (best == nil || len(r.folder) > len(best.folder)) {
			best = &layoutRules[i]
		}
	}
	return best
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
}

// layoutViolations checks every Go file of the module rooted at root
// (test files included; testdata and folders Go ignores are skipped)
// against layoutRules. It returns one line per breach, naming the file,
// the import and the rule, sorted, and how many files each rule covered,
// so that a caller can tell an empty tree from a clean one.
func layoutViolations(root string) (violations []string, files map[string]int, err error) {
	module, err := modulePath(root)
	if err != nil {
		return nil, nil, err
	}
	files = map[string]int{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		rule := ruleFor(filepath.ToSlash(filepath.Dir(rel)))
		if rule == nil {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		files[rule.folder]++
		isTest := strings.HasSuffix(rel, "_test.go")
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if v := checkImport(rule, module, ip, isTest); v != "" {
				violations = append(violations, fmt.Sprintf("%s imports %s: %s (DESIGN.md: layout)", rel, ip, v))
			}
		}
		return nil
	})
	sort.Strings(violations)
	return violations, files, err
}

// checkImport returns the rule that importing ip breaks in a file covered
// by rule, or "" when the import is allowed.
func checkImport(rule *layoutRule, module, ip string, isTest bool) string {
	target, inModule := strings.CutPrefix(ip, module+"/")
	if !inModule {
		if rule.stdlibOnly && !isTest && ip != module && strings.Contains(strings.Split(ip, "/")[0], ".") {
			return rule.folder + " imports the standard library only"
		}
		return ""
	}
	for _, f := range rule.may {
		if within(target, f) {
			return ""
		}
	}
	// Name the other folder as the table does: its top level when it lies
	// outside the rule's top level ("core must not import sim"), else the
	// package ("core/api must not import core/store").
	top := strings.Split(target, "/")[0]
	if top != strings.Split(rule.folder, "/")[0] {
		target = top
	}
	return rule.folder + " must not import " + target
}

// TestLayout checks the whole module against DESIGN.md's layout table.
func TestLayout(t *testing.T) {
	violations, files, err := layoutViolations("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, folder := range []string{"core", "core/api", "core/store", "sim", "labs", "realnode"} {
		if files[folder] < 2 {
			t.Errorf("checked only %d files under %s/: is the test running in core/?", files[folder], folder)
		}
	}
	for _, v := range violations {
		t.Error(v)
	}
}

// TestLayoutCatchesViolations proves the checker is not blind: it runs
// over synthetic modules, each of one file, and must report exactly the
// expected breach, or nothing.
func TestLayoutCatchesViolations(t *testing.T) {
	const m = "github.com/tinykube/tinykube"
	tests := []struct {
		file, imports string
		want          string // "" when the file is allowed
	}{
		{"core/x/y.go", m + "/sim", "core/x/y.go imports " + m + "/sim: core must not import sim (DESIGN.md: layout)"},
		{"core/x/y.go", m + "/sim/cluster", "core/x/y.go imports " + m + "/sim/cluster: core must not import sim (DESIGN.md: layout)"},
		{"core/x/y_test.go", m + "/sim/runtime", "core/x/y_test.go imports " + m + "/sim/runtime: core must not import sim (DESIGN.md: layout)"},
		{"core/y.go", m + "/realnode/etcdstore", "core/y.go imports " + m + "/realnode/etcdstore: core must not import realnode (DESIGN.md: layout)"},
		{"core/kubelet/y.go", m + "/cmd/tinykube", "core/kubelet/y.go imports " + m + "/cmd/tinykube: core must not import cmd (DESIGN.md: layout)"},
		{"core/kubelet/y.go", m + "/labs/lab", "core/kubelet/y.go imports " + m + "/labs/lab: core must not import labs (DESIGN.md: layout)"},
		{"sim/cluster/y.go", m + "/realnode/containerdrt", "sim/cluster/y.go imports " + m + "/realnode/containerdrt: sim must not import realnode (DESIGN.md: layout)"},
		{"sim/y_test.go", m + "/cmd/tinykube", "sim/y_test.go imports " + m + "/cmd/tinykube: sim must not import cmd (DESIGN.md: layout)"},
		{"sim/cluster/y.go", m + "/labs/lab", "sim/cluster/y.go imports " + m + "/labs/lab: sim must not import labs (DESIGN.md: layout)"},
		{"labs/04-scheduler/y.go", m + "/realnode/agent", "labs/04-scheduler/y.go imports " + m + "/realnode/agent: labs must not import realnode (DESIGN.md: layout)"},
		{"labs/lab/y_test.go", m + "/cmd/tinykube", "labs/lab/y_test.go imports " + m + "/cmd/tinykube: labs must not import cmd (DESIGN.md: layout)"},
		{"realnode/agent/y.go", m + "/sim/runtime", "realnode/agent/y.go imports " + m + "/sim/runtime: realnode must not import sim (DESIGN.md: layout)"},
		{"core/api/y.go", m + "/core/store", "core/api/y.go imports " + m + "/core/store: core/api must not import core/store (DESIGN.md: layout)"},
		{"core/api/y.go", "github.com/google/go-cmp/cmp", "core/api/y.go imports github.com/google/go-cmp/cmp: core/api imports the standard library only (DESIGN.md: layout)"},
		{"core/store/y.go", m + "/core/client", "core/store/y.go imports " + m + "/core/client: core/store must not import core/client (DESIGN.md: layout)"},
		// Allowed.
		{"core/api/y_test.go", "github.com/google/go-cmp/cmp", ""},
		{"core/api/y.go", "encoding/json", ""},
		{"core/store/storetest/y.go", m + "/core/store", ""},
		{"core/kubelet/y.go", m + "/core/api", ""},
		{"core/x/y.go", m + "/core/simple", ""},
		{"core/x/y.go", m + "-other/sim", ""},
		{"sim/cluster/y.go", m + "/core/kubelet", ""},
		{"sim/cluster/y.go", m + "/sim/runtime", ""},
		{"labs/05-kubelet/y.go", m + "/sim/cluster", ""},
		{"realnode/agent/y.go", "go.etcd.io/etcd/client/v3", ""},
		{"cmd/tinykube/y.go", m + "/realnode/agent", ""},
		{"core/x/testdata/y.go", m + "/sim", ""},
	}
	for _, tt := range tests {
		root := t.TempDir()
		write := func(name, content string) {
			p := filepath.Join(root, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write("go.mod", "module "+m+"\n\ngo 1.22\n")
		write(tt.file, fmt.Sprintf("package y\n\nimport renamed %q\n\nvar _ = renamed.X\n", tt.imports))
		got, _, err := layoutViolations(root)
		if err != nil {
			t.Fatalf("%s importing %s: %v", tt.file, tt.imports, err)
		}
		var want []string
		if tt.want != "" {
			want = []string{tt.want}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s importing %s: layoutViolations = %q, want %q", tt.file, tt.imports, got, want)
		}
	}
}
