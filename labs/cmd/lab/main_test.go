package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/tinykube/tinykube/labs/catalog"
)

// Every labs/NN-topic directory is a lab the command runs, with the parts
// labs/README.md promises.
func TestEveryLabDirectoryIsWired(t *testing.T) {
	dirs, err := filepath.Glob("../../[0-9][0-9]-*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no lab directories found from %s (err %v)", must(os.Getwd()), err)
	}
	wired := map[string]bool{}
	for _, e := range catalog.All() {
		wired[e.Student.Number] = true
	}
	for _, d := range dirs {
		nn := regexp.MustCompile(`^\d\d`).FindString(filepath.Base(d))
		if !wired[nn] {
			t.Errorf("%s: lab %s is not in labs/catalog, so make lab NN=%s cannot run it", d, nn, nn)
		}
		for _, part := range []string{"README.md", "student", "reference", "mutants", "checker.go", "checker_test.go"} {
			if _, err := os.Stat(filepath.Join(d, part)); err != nil {
				t.Errorf("%s: missing %s (see labs/README.md, \"Layout\")", d, part)
			}
		}
	}
}

func must(s string, _ error) string { return s }
