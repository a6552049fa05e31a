package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// dirStorage is the local-path provisioner's Storage on a real node:
// one directory per volume under the node's state dir.
type dirStorage struct{ root string }

// Create makes root/name (mode 0777, as pods of any user write to it) and
// returns its path; an existing directory is kept with its content.
func (d dirStorage) Create(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
		return "", fmt.Errorf("local volume name %q is not a plain directory name", name)
	}
	p := filepath.Join(d.root, name)
	if err := os.MkdirAll(p, 0o777); err != nil {
		return "", err
	}
	return p, os.Chmod(p, 0o777)
}

// Delete removes a volume directory under root and what it holds; any
// other path is refused, so a forged volume cannot delete the node's files.
func (d dirStorage) Delete(path string) error {
	rel, err := filepath.Rel(d.root, filepath.Clean(path))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") || strings.Contains(rel, string(filepath.Separator)) {
		return fmt.Errorf("refusing to delete %s: not a volume directory under %s", path, d.root)
	}
	return os.RemoveAll(path)
}
