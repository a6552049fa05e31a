package bookcheck

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// CodeFolders are the top-level folders whose every package must have a
// doc.go naming its chapter (STYLE.md: "Every package has a doc.go: its
// role in one paragraph and the book chapter that explains it").
var CodeFolders = []string{"cmd", "core", "labs", "realnode", "sim"}

// chapterRef is how a package comment names a chapter: its file,
// book/NN-topic.md.
var chapterRef = regexp.MustCompile(`book/[0-9][0-9]-[a-z0-9-]+\.md`)

// CheckPackageDocs checks every package (every folder holding a .go file,
// test-only packages included) under CodeFolders of fsys, the repository
// root: it must have a doc.go whose package comment names at least one
// chapter as book/NN-topic.md, every chapter it names must exist, and no
// other file of the package may carry a package comment of its own
// (godoc would run the two together). Folders named testdata, or starting
// with "." or "_", are skipped, as the go tool skips them. It returns one
// line per problem, sorted.
func CheckPackageDocs(fsys fs.FS) ([]string, error) {
	var problems []string
	packages := 0
	for _, top := range CodeFolders {
		if _, err := fs.Stat(fsys, top); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := fs.WalkDir(fsys, top, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				return nil
			}
			if p != top && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
				return fs.SkipDir
			}
			found, probs, err := checkPackageDoc(fsys, p)
			if found {
				packages++
			}
			problems = append(problems, probs...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if packages == 0 {
		problems = append(problems, fmt.Sprintf("no Go packages found under %s", strings.Join(CodeFolders, ", ")))
	}
	sort.Strings(problems)
	return problems, nil
}

// checkPackageDoc checks the package in dir, if dir holds one (found).
func checkPackageDoc(fsys fs.FS, dir string) (found bool, problems []string, err error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false, nil, err
	}
	hasDoc := false
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		found = true
		name := path.Join(dir, e.Name())
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return found, problems, err
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return found, problems, err
		}
		if e.Name() != "doc.go" {
			if f.Doc != nil {
				problems = append(problems, fmt.Sprintf("%s: a package comment outside doc.go (move it into doc.go)", name))
			}
			continue
		}
		hasDoc = true
		if f.Doc == nil {
			problems = append(problems, fmt.Sprintf("%s: no package comment (its role in one paragraph and the book chapter that explains it)", name))
			continue
		}
		refs := chapterRef.FindAllString(f.Doc.Text(), -1)
		if len(refs) == 0 {
			problems = append(problems, fmt.Sprintf("%s: the package comment names no chapter (write its file, e.g. book/05-kubelet.md)", name))
		}
		for _, ref := range refs {
			if _, err := fs.Stat(fsys, ref); err != nil {
				problems = append(problems, fmt.Sprintf("%s: names %s, which does not exist", name, ref))
			}
		}
	}
	if found && !hasDoc {
		problems = append(problems, fmt.Sprintf("%s: no doc.go (its role in one paragraph and the book chapter that explains it)", dir))
	}
	return found, problems, nil
}
