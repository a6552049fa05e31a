package main

// Key sources: how `create configmap` and `create secret` turn command-line
// literals, files, directories and env files into keys and values. The
// rules and the error wordings are kubectl's, so that a script written for
// kubectl fails (or succeeds) here in the same way.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tinykube/tinykube/core/api"
)

// keySources are the --from-literal, --from-file and --from-env-file flags.
type keySources struct {
	literals []string // key=value
	files    []string // [key=]path, path a file or a directory
	envFiles []string // paths of KEY=VALUE files
}

// check refuses combinations kubectl refuses.
func (s keySources) check() error {
	if len(s.envFiles) > 0 && (len(s.files) > 0 || len(s.literals) > 0) {
		return errors.New("from-env-file cannot be combined with from-file or from-literal")
	}
	return nil
}

// addFunc records one key. fromFile says the value is a file's content (a
// ConfigMap keeps non-UTF-8 file content as binaryData).
type addFunc func(key string, value []byte, fromFile bool) error

// parseLiteralSource splits "key=value" at the first '='; the value may
// hold more of them and may be empty, the key may not.
func parseLiteralSource(source string) (key, value string, err error) {
	k, v, ok := strings.Cut(source, "=")
	if !ok || k == "" {
		return "", "", fmt.Errorf("invalid literal source %v, expected key=value", source)
	}
	return k, v, nil
}

// parseFileSource splits "[key=]path": without a key the key is the path's
// base name.
func parseFileSource(source string) (key, file string, err error) {
	switch n := strings.Count(source, "="); {
	case n == 0:
		return path.Base(filepath.ToSlash(source)), source, nil
	case n > 1:
		return "", "", errors.New("key names or file paths cannot contain '='")
	case strings.HasPrefix(source, "="):
		return "", "", fmt.Errorf("key name for file path %v missing", strings.TrimPrefix(source, "="))
	case strings.HasSuffix(source, "="):
		return "", "", fmt.Errorf("file path for key name %v missing", strings.TrimSuffix(source, "="))
	}
	k, f, _ := strings.Cut(source, "=")
	return k, f, nil
}

// addLiterals adds each key=value of literals.
func addLiterals(literals []string, add addFunc) error {
	for _, src := range literals {
		k, v, err := parseLiteralSource(src)
		if err != nil {
			return err
		}
		if err := add(k, []byte(v), false); err != nil {
			return err
		}
	}
	return nil
}

// addFiles adds each [key=]path of files. A directory adds every regular
// file in it under its base name, in name order; subdirectories, symbolic
// links and devices are skipped, and a directory cannot be given a key.
func addFiles(files []string, add addFunc) error {
	for _, src := range files {
		key, file, err := parseFileSource(src)
		if err != nil {
			return err
		}
		info, err := os.Stat(file)
		if err != nil {
			return readError(file, err)
		}
		if !info.IsDir() {
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			if err := add(key, data, true); err != nil {
				return err
			}
			continue
		}
		if strings.Contains(src, "=") {
			return errors.New("cannot give a key name for a directory path")
		}
		entries, err := os.ReadDir(file)
		if err != nil {
			return fmt.Errorf("error listing files in %s: %v", file, err)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(file, e.Name()))
			if err != nil {
				return err
			}
			if err := add(e.Name(), data, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// addEnvFiles adds the KEY=VALUE lines of each env file. Leading blanks
// are dropped, blank lines and lines starting with '#' are skipped, a key
// must be a valid environment variable name, and a line with a key and no
// '=' takes its value from getenv (kubectl reads its own environment).
// what names the object kind in the directory error ("config", "secret").
func addEnvFiles(files []string, what string, getenv func(string) string, add addFunc) error {
	for _, file := range files {
		info, err := os.Stat(file)
		if err != nil {
			return readError(file, err)
		}
		if info.IsDir() {
			return fmt.Errorf("env %s file cannot be a directory", what)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 0; sc.Scan(); n++ {
			line := sc.Bytes()
			if !utf8.Valid(line) {
				return fmt.Errorf("env file %s contains invalid utf8 bytes at line %d: %v", file, n+1, line)
			}
			if n == 0 {
				line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a byte order mark
			}
			line = bytes.TrimLeftFunc(line, unicode.IsSpace)
			if len(line) == 0 || line[0] == '#' {
				continue
			}
			k, v, hasValue := strings.Cut(string(line), "=")
			if msgs := api.IsEnvVarName(k); len(msgs) > 0 {
				return fmt.Errorf("%q is not a valid key name: %s", k, strings.Join(msgs, ";"))
			}
			if !hasValue {
				v = getenv(k)
			}
			if err := add(k, []byte(v), false); err != nil {
				return err
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("error reading %s: %v", file, err)
		}
	}
	return nil
}

// readError words a failed stat as kubectl does: "error reading PATH: no
// such file or directory".
func readError(file string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("error reading %s: %v", file, pe.Err)
	}
	return fmt.Errorf("error reading %s: %v", file, err)
}
