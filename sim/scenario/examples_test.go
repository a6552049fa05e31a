package scenario

import (
	"path/filepath"
	"testing"
)

// Every example scenario shipped with tinykube parses.
func TestExamplesParse(t *testing.T) {
	files, err := filepath.Glob("../../examples/scenarios/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d example scenarios (%v), want at least 5", len(files), err)
	}
	for _, f := range files {
		if _, err := Load(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}
