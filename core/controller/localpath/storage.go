package localpath

// Storage is the node's part: directories that outlive pods. The simulated
// runtime keeps a simulated disk per node; a real agent uses directories
// under its state dir.
type Storage interface {
	// Create makes the directory of volume name and returns its path. It
	// is idempotent: the same name gives the same path, its content kept.
	Create(name string) (path string, err error)
	// Delete removes the directory at path and what it holds; a path that
	// does not exist is no error.
	Delete(path string) error
}
