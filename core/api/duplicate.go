package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
)

// DuplicateFields returns the paths of the keys that appear more than once
// in one JSON object of raw, sorted, written as UnknownFields writes paths
// (following obj's Go type: struct fields joined by dots, map keys and list
// indexes in brackets). encoding/json keeps the last of a repeated key
// silently; the API server turns each path into `duplicate field "<path>"`,
// a warning or, under strict field validation, a refusal.
//
// raw that is not valid JSON yields no paths: decoding reports that.
func DuplicateFields(raw []byte, obj Object) []string {
	s := dupScanner{dec: json.NewDecoder(bytes.NewReader(raw))}
	s.dec.UseNumber()
	if s.value(reflect.TypeOf(obj), "") != nil {
		return nil
	}
	sort.Strings(s.dups)
	return s.dups
}

// dupScanner reads JSON tokens, following a Go type where it knows one, and
// records repeated object keys.
type dupScanner struct {
	dec  *json.Decoder
	dups []string
}

// value consumes one JSON value of Go type t (nil when unknown) at path p.
func (s *dupScanner) value(t reflect.Type, p string) error {
	tok, err := s.dec.Token()
	if err != nil {
		return err
	}
	if t != nil {
		t = derefType(t)
		if isJSONLeaf(t) {
			t = nil // its own decoder judges its insides
		}
	}
	switch tok {
	case json.Delim('{'):
		var fields map[string]jsonField
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Struct {
			fields = jsonFieldSet(t)
		}
		if t != nil && t.Kind() == reflect.Map {
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for s.dec.More() {
			kt, err := s.dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			cp, ct := joinPath(p, k), reflect.Type(nil)
			switch {
			case fields != nil:
				ct = fields[k].typ
			case elem != nil:
				cp, ct = p+"["+k+"]", elem
			}
			if seen[k] {
				s.dups = append(s.dups, cp)
			}
			seen[k] = true
			if err := s.value(ct, cp); err != nil {
				return err
			}
		}
		_, err = s.dec.Token() // '}'
		return err
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; s.dec.More(); i++ {
			if err := s.value(elem, p+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err = s.dec.Token() // ']'
		return err
	}
	return nil
}
