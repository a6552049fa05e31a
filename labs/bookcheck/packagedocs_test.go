package bookcheck

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestEveryPackageNamesItsChapter checks the real repository, two levels
// up.
func TestEveryPackageNamesItsChapter(t *testing.T) {
	problems, err := CheckPackageDocs(os.DirFS("../.."))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestPackageDocCheckerCatchesProblems proves the checker can fail: each
// case is a small repository with one chapter, book/05-kubelet.md.
func TestPackageDocCheckerCatchesProblems(t *testing.T) {
	good := "// Package kubelet runs pods.\n//\n// Book: chapter 5 (book/05-kubelet.md).\npackage kubelet\n"
	code := "package kubelet\n\nfunc Run() {}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name:  "doc.go names an existing chapter",
			files: map[string]string{"core/kubelet/doc.go": good, "core/kubelet/run.go": code},
		},
		{
			name:  "no doc.go",
			files: map[string]string{"core/kubelet/run.go": code},
			want:  []string{"core/kubelet: no doc.go (its role in one paragraph and the book chapter that explains it)"},
		},
		{
			name:  "test-only package without doc.go",
			files: map[string]string{"realnode/e2e/e2e_test.go": "package e2e\n"},
			want:  []string{"realnode/e2e: no doc.go (its role in one paragraph and the book chapter that explains it)"},
		},
		{
			name:  "doc.go without a package comment",
			files: map[string]string{"sim/doc.go": "package sim\n"},
			want:  []string{"sim/doc.go: no package comment (its role in one paragraph and the book chapter that explains it)"},
		},
		{
			name:  "comment names no chapter file",
			files: map[string]string{"labs/lab/doc.go": "// Package lab runs labs.\n//\n// Book: the kubelet chapter.\npackage lab\n"},
			want:  []string{"labs/lab/doc.go: the package comment names no chapter (write its file, e.g. book/05-kubelet.md)"},
		},
		{
			name:  "chapter that does not exist",
			files: map[string]string{"cmd/tinykube/doc.go": "// Command tinykube. Book: book/99-nope.md.\npackage main\n"},
			want:  []string{"cmd/tinykube/doc.go: names book/99-nope.md, which does not exist"},
		},
		{
			name:  "second package comment",
			files: map[string]string{"core/kubelet/doc.go": good, "core/kubelet/run.go": "// Package kubelet again.\n" + code},
			want:  []string{"core/kubelet/run.go: a package comment outside doc.go (move it into doc.go)"},
		},
		{
			name: "testdata, dot folders and other top-level folders are not packages",
			files: map[string]string{
				"core/kubelet/doc.go":          good,
				"core/kubelet/testdata/x.go":   code,
				"core/.hidden/x.go":            code,
				"examples/tool/x.go":           code,
				"core/kubelet/notes/README.md": "not Go",
			},
		},
		{
			name:  "no packages at all",
			files: map[string]string{"examples/x.go": code},
			want:  []string{"no Go packages found under cmd, core, labs, realnode, sim"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{"book/05-kubelet.md": &fstest.MapFile{Data: []byte("# 05\n")}}
			for name, src := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(src)}
			}
			got, err := CheckPackageDocs(fsys)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckPackageDocs problems (-want +got):\n%s", diff)
			}
		})
	}
}
