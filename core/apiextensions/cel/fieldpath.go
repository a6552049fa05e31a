package cel

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
)

// fieldPath reads a rule's fieldPath, a JSON path relative to the rule's
// place made of ".name" and "['name']" steps (no list indexes), checks that
// each step names a property of s (or, under additionalProperties, any
// key), and returns it as a field error path: ".spec.replicas" is
// "spec.replicas", ".labels['app.kubernetes.io/name']" under a map is
// "labels[app.kubernetes.io/name]". The error says what is wrong.
func fieldPath(p string, s *api.JSONSchemaProps) (string, error) {
	var out strings.Builder
	appendStep := func(name string) error {
		switch {
		case s != nil && len(s.Properties) > 0:
			sub, ok := s.Properties[name]
			if !ok {
				return fmt.Errorf("does not refer to a valid field")
			}
			if out.Len() > 0 {
				out.WriteByte('.')
			}
			out.WriteString(name)
			s = &sub
		case s != nil && s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil:
			out.WriteString("[" + name + "]")
			s = s.AdditionalProperties.Schema
		default:
			return fmt.Errorf("does not refer to a valid field")
		}
		return nil
	}
	for rest := p; rest != ""; {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[]")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return "", fmt.Errorf("unexpected end of JSON path")
			}
			if err := appendStep(rest[:end]); err != nil {
				return "", err
			}
			rest = rest[end:]
		case '[':
			rest = rest[1:]
			name, n, err := singleQuoted(rest)
			if err != nil {
				return "", err
			}
			rest = rest[n:]
			if !strings.HasPrefix(rest, "]") {
				return "", fmt.Errorf("expected ] after %q", name)
			}
			rest = rest[1:]
			if err := appendStep(name); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("expected [ or . but got: %s", rest)
		}
	}
	return out.String(), nil
}

// singleQuoted reads a single-quoted string at the start of s, with \' and
// \\ escapes, and returns its contents and the bytes it took.
func singleQuoted(s string) (string, int, error) {
	if !strings.HasPrefix(s, "'") {
		return "", 0, fmt.Errorf("expected single quoted string but got %s", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '\'' && s[i+1] != '\\') {
				return "", 0, fmt.Errorf("invalid string literal: invalid escape in %s", s)
			}
			b.WriteByte(s[i+1])
			i++
		case '\'':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unexpected end of JSON path")
}
