package audit

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// backupTimeLayout is the time in a rotated file's name, as
// kube-apiserver's log (lumberjack) writes it, in UTC:
// audit.log → audit-2026-12-07T18-27-01.123.log.
const backupTimeLayout = "2006-01-02T15-04-05.000"

// rotatingFile is an append-only file that, before a write would take it
// past maxBytes, is renamed to a timestamped backup and started afresh;
// then the backups beyond maxBackups, or older than maxAgeDays, are
// removed. Writes are buffered until Flush. Not safe for concurrent use
// (the Logger's one writer goroutine owns it).
type rotatingFile struct {
	path       string
	maxBytes   int64
	maxBackups int
	maxAgeDays int
	now        func() time.Time

	f    *os.File
	buf  *bufio.Writer
	size int64
}

// openRotating opens path for appending (creating it and its directory)
// with mode 0600: an audit log names users and objects.
func openRotating(path string, maxBytes int64, maxBackups, maxAgeDays int, now func() time.Time) (*rotatingFile, error) {
	r := &rotatingFile{path: path, maxBytes: maxBytes, maxBackups: maxBackups, maxAgeDays: maxAgeDays, now: now}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: creating its directory: %w", err)
	}
	if err := r.open(); err != nil {
		return nil, err
	}
	return r, nil
}

// open opens r.path for appending and learns its size.
func (r *rotatingFile) open() error {
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w (check --audit-log-path and that the directory is writable)", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit log: %w", err)
	}
	r.f, r.buf, r.size = f, bufio.NewWriterSize(f, 64<<10), st.Size()
	return nil
}

// Write appends p, rotating first when p would take the file past
// maxBytes (a line longer than maxBytes gets a file of its own; a line is
// never split across files).
func (r *rotatingFile) Write(p []byte) (int, error) {
	if r.maxBytes > 0 && r.size > 0 && r.size+int64(len(p)) > r.maxBytes {
		if err := r.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := r.buf.Write(p)
	r.size += int64(n)
	return n, err
}

// Flush writes what is buffered to the file.
func (r *rotatingFile) Flush() error { return r.buf.Flush() }

// Close flushes and closes the file.
func (r *rotatingFile) Close() error {
	err := r.buf.Flush()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// rotate renames the file to its backup name, opens a new one, and
// prunes the backups.
func (r *rotatingFile) rotate() error {
	if err := r.Close(); err != nil {
		return fmt.Errorf("audit log: closing before rotation: %w", err)
	}
	t := r.now().UTC()
	name := r.backupName(t)
	for {
		if _, err := os.Lstat(name); os.IsNotExist(err) {
			break
		}
		// Two rotations within a millisecond: name the second one a
		// millisecond later rather than overwrite the first.
		t = t.Add(time.Millisecond)
		name = r.backupName(t)
	}
	if err := os.Rename(r.path, name); err != nil {
		// Keep writing to the file as it is rather than to nowhere.
		if oerr := r.open(); oerr != nil {
			return oerr
		}
		return fmt.Errorf("audit log: rotating: %w", err)
	}
	if err := r.open(); err != nil {
		return err
	}
	return r.prune()
}

// backupName is the backup of r.path rotated at t.
func (r *rotatingFile) backupName(t time.Time) string {
	dir, base := filepath.Split(r.path)
	ext := filepath.Ext(base)
	return filepath.Join(dir, strings.TrimSuffix(base, ext)+"-"+t.UTC().Format(backupTimeLayout)+ext)
}

// backup is a rotated file and the time in its name.
type backup struct {
	path string
	at   time.Time
}

// backups returns r's rotated files, newest first. Files whose names
// only look alike (no parsable time) are not r's and are left alone.
func (r *rotatingFile) backups() ([]backup, error) {
	dir, base := filepath.Split(r.path)
	if dir == "" {
		dir = "."
	}
	ext := filepath.Ext(base)
	prefix := strings.TrimSuffix(base, ext) + "-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit log: listing backups: %w", err)
	}
	var out []backup
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ext) {
			continue
		}
		at, err := time.Parse(backupTimeLayout, strings.TrimSuffix(strings.TrimPrefix(name, prefix), ext))
		if err != nil {
			continue
		}
		out = append(out, backup{filepath.Join(dir, name), at})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.After(out[j].at) })
	return out, nil
}

// prune removes the backups beyond maxBackups (the oldest) and those
// older than maxAgeDays.
func (r *rotatingFile) prune() error {
	if r.maxBackups == 0 && r.maxAgeDays == 0 {
		return nil
	}
	bs, err := r.backups()
	if err != nil {
		return err
	}
	cutoff := r.now().Add(-time.Duration(r.maxAgeDays) * 24 * time.Hour)
	for i, b := range bs {
		tooMany := r.maxBackups > 0 && i >= r.maxBackups
		tooOld := r.maxAgeDays > 0 && b.at.Before(cutoff)
		if tooMany || tooOld {
			if err := os.Remove(b.path); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("audit log: removing an old backup: %w", err)
			}
		}
	}
	return nil
}
