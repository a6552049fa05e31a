package printers

// JSONPath as kubectl speaks it: the templates of `get -o jsonpath=…`
// and `-o custom-columns=…`, and the paths of a CustomResourceDefinition's
// additionalPrinterColumns. A template is literal text with actions in
// braces:
//
//	{.metadata.name}                      a field
//	{.metadata.labels['app.kubernetes.io/name']}   a quoted field name
//	{.spec.containers[0].image}           an index ([-1] counts from the end)
//	{.items[*].metadata.name}             every element ([1:3], [::2] slice)
//	{..image}                             recursive descent
//	{.status.conditions[?(@.type=="Ready")].status}   a filter
//	{range .items[*]}{.metadata.name}{"\n"}{end}      a loop
//
// It works on decoded JSON (map[string]any, []any, string, bool, nil and
// numbers as json.Number, int64, int or float64). Missing fields select
// nothing rather than fail, as kubectl's default
// --allow-missing-template-keys=true does; an index out of range, a
// filter over something that is not a list or a comparison of a string
// with a number is an error, as in kubectl. Map entries are visited in
// key order, so every result is deterministic.
//
// Where kubectl's implementation (k8s.io/client-go/util/jsonpath) is
// accidental, this one is plain: ['a.b'] names the key "a.b" (client-go
// splits it at the dot), and numbers compare by value whatever their
// JSON spelling (client-go refuses to compare 1 with 1.5).

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSONPath is a parsed template. It is immutable and safe to share.
type JSONPath struct {
	src   string
	parts []tmplPart
}

// tmplPart is one piece of a template: literal text, an expression whose
// results are printed, or a range block whose body is evaluated once per
// result of its expression.
type tmplPart struct {
	text   string  // literal text, when neither isExpr nor isRng
	expr   []pStep // the expression of an action, or of a range
	isExpr bool
	isRng  bool
	body   []tmplPart // a range's body
}

// stepKind names what a step of an expression does.
type stepKind int

const (
	stepField     stepKind = iota // a map key
	stepWildcard                  // every element or value
	stepSlice                     // [start:end:step], [n]
	stepUnion                     // [a,b,...]: each alternative's results
	stepRecursive                 // ..: the value and everything under it
	stepFilter                    // [?(left op right)]
	stepLiteral                   // a quoted string, number or boolean
)

// pStep is one step of an expression.
type pStep struct {
	kind  stepKind
	name  string // stepField
	slice sliceParams
	alts  [][]pStep // stepUnion
	// stepFilter: left op right, or op "exists" with right nil.
	left, right []pStep
	op          string
	lit         any // stepLiteral
}

// sliceParams are [start:end:step]; an index [n] is start n, end n+1
// marked derived (so [-1] means the last element).
type sliceParams struct {
	start, end, step          int
	hasStart, hasEnd, hasStep bool
	derivedEnd                bool
}

// ParseJSONPath parses a kubectl JSONPath template ("{.metadata.name}",
// "name: {.metadata.name}{'\n'}", "{range .items[*]}…{end}"). The error
// says what is wrong and at which byte.
func ParseJSONPath(template string) (*JSONPath, error) {
	p := &tmplParser{src: template}
	parts, err := p.parseParts(false)
	if err != nil {
		return nil, err
	}
	return &JSONPath{src: template, parts: parts}, nil
}

// ParseColumnPath parses the path of a printer column (".spec.replicas"),
// as Kubernetes does: as if it were the template "{PATH}".
func ParseColumnPath(path string) (*JSONPath, error) {
	return ParseJSONPath("{" + path + "}")
}

// String returns the template as written.
func (j *JSONPath) String() string { return j.src }

// tmplParser reads a template from left to right.
type tmplParser struct {
	src string
	pos int
}

// parseParts reads text and actions until the end of the template, or,
// inside a range (inRange), until its {end}.
func (p *tmplParser) parseParts(inRange bool) ([]tmplPart, error) {
	var parts []tmplPart
	for p.pos < len(p.src) {
		i := strings.IndexByte(p.src[p.pos:], '{')
		if i < 0 {
			parts = append(parts, tmplPart{text: p.src[p.pos:]})
			p.pos = len(p.src)
			break
		}
		if i > 0 {
			parts = append(parts, tmplPart{text: p.src[p.pos : p.pos+i]})
		}
		start := p.pos + i
		end, err := actionEnd(p.src, start+1)
		if err != nil {
			return nil, err
		}
		action := strings.TrimSpace(p.src[start+1 : end])
		p.pos = end + 1
		switch {
		case action == "end":
			if !inRange {
				return nil, fmt.Errorf("jsonpath %q: {end} at byte %d closes no {range}", p.src, start)
			}
			return parts, nil
		case action == "range" || strings.HasPrefix(action, "range ") || strings.HasPrefix(action, "range."):
			expr, err := parseExpr(strings.TrimSpace(action[len("range"):]))
			if err != nil {
				return nil, fmt.Errorf("jsonpath %q: in the {range} at byte %d: %v", p.src, start, err)
			}
			body, err := p.parseParts(true)
			if err != nil {
				return nil, err
			}
			parts = append(parts, tmplPart{expr: expr, isRng: true, body: body})
			continue
		}
		expr, err := parseExpr(action)
		if err != nil {
			return nil, fmt.Errorf("jsonpath %q: in the action at byte %d: %v", p.src, start, err)
		}
		parts = append(parts, tmplPart{expr: expr, isExpr: true})
	}
	if inRange {
		return nil, fmt.Errorf("jsonpath %q: a {range} has no {end}", p.src)
	}
	return parts, nil
}

// actionEnd returns the index of the "}" closing the action that starts at
// from, skipping braces inside quotes.
func actionEnd(s string, from int) (int, error) {
	var quote byte
	for i := from; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '}':
			return i, nil
		}
	}
	return 0, fmt.Errorf("jsonpath %q: the action at byte %d is not closed with }", s, from-1)
}

// parseExpr parses the inside of an action: a path such as
// ".items[*].metadata.name", "@.type", a literal such as "\n", 3 or true.
func parseExpr(s string) ([]pStep, error) {
	var steps []pStep
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '@' || c == '$':
			i++
		case strings.HasPrefix(s[i:], ".."):
			if len(steps) > 0 && steps[len(steps)-1].kind == stepRecursive {
				return nil, fmt.Errorf("invalid multiple recursive descent at byte %d", i)
			}
			steps = append(steps, pStep{kind: stepRecursive})
			i += 2
			if i < len(s) && s[i] != '[' && s[i] != '.' {
				name, n := fieldName(s[i:])
				steps = append(steps, fieldStep(name))
				i += n
			}
		case c == '.':
			name, n := fieldName(s[i+1:])
			i += 1 + n
			if name == "" {
				continue // "{.}" is the value itself
			}
			steps = append(steps, fieldStep(name))
		case c == '[':
			step, n, err := parseBracket(s[i:])
			if err != nil {
				return nil, err
			}
			steps = append(steps, step)
			i += n
		case c == '"' || c == '\'':
			str, n, err := parseQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			steps = append(steps, pStep{kind: stepLiteral, lit: str})
			i += n
		case c == '+' || c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] == '.' || (s[j] >= '0' && s[j] <= '9')) {
				j++
			}
			lit, err := parseNumber(s[i:j])
			if err != nil {
				return nil, err
			}
			steps = append(steps, pStep{kind: stepLiteral, lit: lit})
			i = j
		default:
			word, n := fieldName(s[i:])
			switch word {
			case "true", "false":
				steps = append(steps, pStep{kind: stepLiteral, lit: word == "true"})
			case "":
				r, _ := utf8.DecodeRuneInString(s[i:])
				return nil, fmt.Errorf("unrecognized character %q at byte %d", r, i)
			default:
				return nil, fmt.Errorf("unrecognized identifier %q at byte %d (a field needs a leading dot: .%s)", word, i, word)
			}
			i += n
		}
	}
	return steps, nil
}

func fieldStep(name string) pStep {
	if name == "*" {
		return pStep{kind: stepWildcard}
	}
	return pStep{kind: stepField, name: name}
}

// fieldName reads a field name up to the next unescaped terminator (a
// dot, bracket, space, $, @, comma or brace); "\." is a literal dot. It
// returns the name and the bytes read.
func fieldName(s string) (string, int) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if strings.IndexByte(".[]$@,{} \t\r\n", c) >= 0 {
			break
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), i
}

// parseQuoted reads a string in single or double quotes with Go escapes
// ("\n", "\t", "\""), returning the string and the bytes read.
func parseQuoted(s string) (string, int, error) {
	q := s[0]
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			body := s[1:i]
			if q == '\'' {
				// Go's Unquote wants double quotes; swap the escapes.
				body = strings.ReplaceAll(strings.ReplaceAll(body, `\'`, `'`), `"`, `\"`)
			}
			out, err := strconv.Unquote(`"` + body + `"`)
			if err != nil {
				return "", 0, fmt.Errorf("bad quoted string %s: %v", s[:i+1], err)
			}
			return out, i + 1, nil
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted string %s", s)
}

// parseNumber reads an integer or a decimal literal.
func parseNumber(s string) (any, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("cannot parse number %s", s)
	}
	return f, nil
}

// parseBracket reads one [...] step: a filter, a union, a quoted name, a
// wildcard, an index or a slice. It returns the step and the bytes read.
func parseBracket(s string) (pStep, int, error) {
	if strings.HasPrefix(s, "[?(") {
		return parseFilter(s)
	}
	end := indexOutsideQuotes(s, 1, ']')
	if end < 0 {
		return pStep{}, 0, fmt.Errorf("unterminated array selection %s", s)
	}
	inner := strings.TrimSpace(s[1:end])
	if alts := splitUnion(inner); len(alts) > 1 {
		step := pStep{kind: stepUnion}
		for _, a := range alts {
			sub, err := parseExpr("[" + strings.TrimSpace(a) + "]")
			if err != nil {
				return pStep{}, 0, err
			}
			step.alts = append(step.alts, sub)
		}
		return step, end + 1, nil
	}
	if inner == "*" {
		return pStep{kind: stepWildcard}, end + 1, nil
	}
	if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') {
		name, n, err := parseQuoted(inner)
		if err != nil {
			return pStep{}, 0, err
		}
		if n != len(inner) {
			return pStep{}, 0, fmt.Errorf("unexpected text after the quoted name in %s", s[:end+1])
		}
		return pStep{kind: stepField, name: name}, end + 1, nil
	}
	sp, err := parseSlice(inner)
	if err != nil {
		return pStep{}, 0, err
	}
	return pStep{kind: stepSlice, slice: sp}, end + 1, nil
}

// splitUnion splits "0,1" or "'a','b'" at the commas outside quotes.
func splitUnion(s string) []string {
	var out []string
	for {
		i := indexOutsideQuotes(s, 0, ',')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// indexOutsideQuotes returns the index of the first c in s at or after
// start that is not inside a single- or double-quoted string (a backslash
// escapes the next byte inside one), or -1.
func indexOutsideQuotes(s string, start int, c byte) int {
	var quote byte
	for i := start; i < len(s); i++ {
		switch b := s[i]; {
		case quote != 0:
			if b == '\\' {
				i++
			} else if b == quote {
				quote = 0
			}
		case b == '\'' || b == '"':
			quote = b
		case b == c:
			return i
		}
	}
	return -1
}

// parseSlice reads "n", "a:b", "a:b:c" with any part empty.
func parseSlice(s string) (sliceParams, error) {
	fields := strings.Split(s, ":")
	if len(fields) > 3 || s == "" {
		return sliceParams{}, fmt.Errorf("invalid array index [%s]: want [n], [start:end] or [start:end:step]", s)
	}
	var nums [3]int
	var has [3]bool
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return sliceParams{}, fmt.Errorf("array index %s is not a number", f)
		}
		nums[i], has[i] = n, true
	}
	sp := sliceParams{start: nums[0], hasStart: has[0], end: nums[1], hasEnd: has[1], step: nums[2], hasStep: has[2]}
	if len(fields) == 1 {
		sp.end, sp.hasEnd, sp.derivedEnd = sp.start+1, true, true
	}
	return sp, nil
}

// filterOps are the comparison operators, longest first.
var filterOps = []string{"==", "!=", "<=", ">=", "<", ">"}

// parseFilter reads "[?(left op right)]" or "[?(@.field)]" (existence).
func parseFilter(s string) (pStep, int, error) {
	var quote byte
	end := -1
	for i := 3; i+1 < len(s) && end < 0; i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ')' && s[i+1] == ']':
			end = i
		}
	}
	if end < 0 {
		return pStep{}, 0, fmt.Errorf("unterminated filter %s: it must end with )]", s)
	}
	inner := s[3:end]
	step := pStep{kind: stepFilter, op: "exists"}
	opAt, op := -1, ""
	quote = 0
	for i := 0; i < len(inner) && opAt < 0; i++ {
		c := inner[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		if c == '\'' || c == '"' {
			quote = c
			continue
		}
		for _, o := range filterOps {
			if strings.HasPrefix(inner[i:], o) {
				opAt, op = i, o
				break
			}
		}
	}
	var err error
	if opAt < 0 {
		if step.left, err = parseExpr(inner); err != nil {
			return pStep{}, 0, err
		}
		return step, end + 2, nil
	}
	step.op = op
	if step.left, err = parseExpr(inner[:opAt]); err != nil {
		return pStep{}, 0, err
	}
	if step.right, err = parseExpr(inner[opAt+len(op):]); err != nil {
		return pStep{}, 0, err
	}
	if len(step.left) == 0 || len(step.right) == 0 {
		return pStep{}, 0, fmt.Errorf("filter %s needs a value on both sides of %s", s[:end+2], op)
	}
	return step, end + 2, nil
}
