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
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
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
	end := -1
	var quote byte
	for i := 1; i < len(s) && end < 0; i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ']':
			end = i
		}
	}
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
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ',':
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
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

// FindResults evaluates the template over data and returns, for each
// piece printed (literal text included, a range's body once per element),
// the values it selected.
func (j *JSONPath) FindResults(data any) ([][]any, error) {
	var out [][]any
	err := evalParts(j.parts, data, &out)
	return out, err
}

func evalParts(parts []tmplPart, data any, out *[][]any) error {
	for _, p := range parts {
		switch {
		case p.isRng:
			vals, err := evalSteps(p.expr, []any{data})
			if err != nil {
				return err
			}
			for _, v := range vals {
				if err := evalParts(p.body, v, out); err != nil {
					return err
				}
			}
		case !p.isExpr:
			*out = append(*out, []any{p.text})
		default:
			vals, err := evalSteps(p.expr, []any{data})
			if err != nil {
				return err
			}
			*out = append(*out, vals)
		}
	}
	return nil
}

// Execute writes the template evaluated over data: literal text as is,
// the values of each action separated by spaces, strings and numbers
// plainly and objects and lists as compact JSON (as kubectl prints them).
func (j *JSONPath) Execute(w io.Writer, data any) error {
	results, err := j.FindResults(data)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, vals := range results {
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(ValueText(v))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// ValueText prints one selected value as kubectl's JSONPath does: a
// string as is, a number in its shortest form, null as "null", an object
// or list as compact JSON.
func ValueText(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case map[string]any, []any:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	if n, ok := number(v); ok {
		return fmt.Sprint(n)
	}
	return fmt.Sprint(v)
}

// evalSteps applies steps in turn to a set of values.
func evalSteps(steps []pStep, cur []any) ([]any, error) {
	for _, s := range steps {
		var err error
		if cur, err = evalStep(s, cur); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

func evalStep(s pStep, in []any) ([]any, error) {
	var out []any
	switch s.kind {
	case stepLiteral:
		for range in {
			out = append(out, s.lit)
		}
	case stepField:
		for _, v := range in {
			if m, ok := v.(map[string]any); ok {
				if x, ok := m[s.name]; ok {
					out = append(out, x)
				}
			}
		}
	case stepWildcard:
		for _, v := range in {
			out = append(out, children(v)...)
		}
	case stepRecursive:
		for _, v := range in {
			out = descend(v, out)
		}
	case stepUnion:
		for _, alt := range s.alts {
			vals, err := evalSteps(alt, in)
			if err != nil {
				return nil, err
			}
			out = append(out, vals...)
		}
	case stepSlice:
		for _, v := range in {
			if v == nil {
				continue
			}
			l, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is not an array: it cannot be indexed", kindOf(v))
			}
			sel, err := s.slice.apply(l)
			if err != nil {
				return nil, err
			}
			out = append(out, sel...)
		}
	case stepFilter:
		for _, v := range in {
			if v == nil {
				continue
			}
			l, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s is not an array: it cannot be filtered", kindOf(v))
			}
			for _, e := range l {
				keep, err := s.keeps(e)
				if err != nil {
					return nil, err
				}
				if keep {
					out = append(out, e)
				}
			}
		}
	}
	return out, nil
}

// children returns the elements of a list or the values of an object in
// key order; other values have none.
func children(v any) []any {
	switch v := v.(type) {
	case []any:
		return append([]any(nil), v...)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = v[k]
		}
		return out
	}
	return nil
}

// descend appends v and every object and list under it, depth first, as
// the start points of a recursive descent ("..name" looks for name in
// each). Scalars and empty containers are not start points.
func descend(v any, out []any) []any {
	kids := children(v)
	if len(kids) == 0 {
		return out
	}
	out = append(out, v)
	for _, k := range kids {
		out = descend(k, out)
	}
	return out
}

// apply selects from l as kubectl does: negative positions count from the
// end, and a position outside the list is an error rather than clamped.
func (sp sliceParams) apply(l []any) ([]any, error) {
	n := len(l)
	start, end := 0, n
	if sp.hasStart {
		start = sp.start
	}
	if start < 0 {
		start += n
	}
	if sp.hasEnd {
		end = sp.end
		if end < 0 || (end == 0 && sp.derivedEnd) {
			end += n
		}
	}
	if start == end {
		return nil, nil
	}
	if start < 0 || start >= n {
		return nil, fmt.Errorf("array index out of bounds: index %d, length %d", start, n)
	}
	if end < 0 || end > n {
		return nil, fmt.Errorf("array index out of bounds: index %d, length %d", end-1, n)
	}
	if start > end {
		return nil, fmt.Errorf("starting index %d is greater than ending index %d", start, end)
	}
	step := 1
	if sp.hasStep {
		if sp.step <= 0 {
			return nil, fmt.Errorf("step must be > 0")
		}
		step = sp.step
	}
	var out []any
	for i := start; i < end; i += step {
		out = append(out, l[i])
	}
	return out, nil
}

// keeps reports whether the filter selects element e.
func (s pStep) keeps(e any) (bool, error) {
	lefts, err := evalSteps(s.left, []any{e})
	if s.op == "exists" {
		return err == nil && len(lefts) > 0, nil
	}
	if err != nil {
		return false, err
	}
	rights, err := evalSteps(s.right, []any{e})
	if err != nil {
		return false, err
	}
	if len(lefts) == 0 || len(rights) == 0 {
		return false, nil
	}
	if len(lefts) > 1 || len(rights) > 1 {
		return false, fmt.Errorf("a filter compares one value with one value; %s selected %d and %d", s.op, len(lefts), len(rights))
	}
	return compare(lefts[0], s.op, rights[0])
}

// compare applies op to two values of one kind: numbers by value, strings
// by bytes, booleans and nulls by equality only.
func compare(a any, op string, b any) (bool, error) {
	var c int
	na, aNum := number(a)
	nb, bNum := number(b)
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	switch {
	case aNum && bNum:
		fa, fb := toFloat(na), toFloat(nb)
		ia, aInt := na.(int64)
		ib, bInt := nb.(int64)
		switch {
		case aInt && bInt && ia < ib, !(aInt && bInt) && fa < fb:
			c = -1
		case aInt && bInt && ia > ib, !(aInt && bInt) && fa > fb:
			c = 1
		}
	case aStr && bStr:
		c = strings.Compare(sa, sb)
	default:
		ba, aBool := a.(bool)
		bb, bBool := b.(bool)
		if !(aBool && bBool) && !(a == nil && b == nil) {
			return false, fmt.Errorf("incompatible types for comparison: %s %s %s", kindOf(a), op, kindOf(b))
		}
		switch op {
		case "==":
			return ba == bb, nil
		case "!=":
			return ba != bb, nil
		}
		return false, fmt.Errorf("%s cannot order %s values", op, kindOf(a))
	}
	switch op {
	case "==":
		return c == 0, nil
	case "!=":
		return c != 0, nil
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	case ">=":
		return c >= 0, nil
	}
	return false, fmt.Errorf("unrecognized filter operator %s", op)
}

// number returns v as an int64 or float64 when it is a number: a
// json.Number is read as Kubernetes reads JSON numbers (an integer when
// it is one, a float otherwise).
func number(v any) (any, bool) {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		if f, err := v.Float64(); err == nil {
			return f, true
		}
		return nil, false
	case int64:
		return v, true
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case float64:
		return v, true
	case float32:
		return float64(v), true
	}
	return nil, false
}

func toFloat(n any) float64 {
	if i, ok := n.(int64); ok {
		return float64(i)
	}
	return n.(float64)
}

// kindOf names a JSON value's type for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
