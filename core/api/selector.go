package api

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Label selector operators, as Kubernetes' labels package names them.
const (
	OpEquals       = "="
	OpDoubleEquals = "=="
	OpNotEquals    = "!="
	OpIn           = "in"
	OpNotIn        = "notin"
	OpExists       = "exists"
	OpDoesNotExist = "!"
	OpGreaterThan  = "gt"
	OpLessThan     = "lt"
)

// Requirement is one test on one label: "key=value", "key in (a,b)",
// "key", "!key", "key>3".
//
// Values is sorted and without repeats in every Requirement a Selector
// holds. Operator "==" is kept as "=" (they mean the same).
type Requirement struct {
	Key      string
	Operator string
	Values   []string
}

// Selector selects objects by their labels: every requirement must hold.
// The zero value selects everything; Nothing() selects nothing.
//
// Build one with ParseSelector, SelectorFromLabelSelector, SelectorFromSet,
// Everything or Nothing. A Selector is immutable once built.
type Selector struct {
	reqs    []Requirement
	nothing bool
}

// Everything returns a selector that matches every set of labels.
func Everything() Selector { return Selector{} }

// Nothing returns a selector that matches no set of labels (what a nil
// LabelSelector means).
func Nothing() Selector { return Selector{nothing: true} }

// SelectorFromSet returns a selector requiring each key to equal its value.
// It does not validate the keys and values; use ParseSelector or
// SelectorFromLabelSelector for untrusted input.
func SelectorFromSet(set map[string]string) Selector {
	var reqs []Requirement
	for _, k := range slices.Sorted(maps.Keys(set)) {
		reqs = append(reqs, Requirement{Key: k, Operator: OpEquals, Values: []string{set[k]}})
	}
	return newSelector(reqs)
}

// newSelector canonicalises requirements: values sorted and unique, "=="
// as "=", requirements sorted by key, then operator, then values.
func newSelector(reqs []Requirement) Selector {
	out := make([]Requirement, len(reqs))
	for i, r := range reqs {
		if r.Operator == OpDoubleEquals {
			r.Operator = OpEquals
		}
		vals := append([]string(nil), r.Values...)
		sort.Strings(vals)
		uniq := vals[:0]
		for j, v := range vals {
			if j == 0 || v != vals[j-1] {
				uniq = append(uniq, v)
			}
		}
		if len(uniq) == 0 {
			uniq = nil
		}
		r.Values = uniq
		out[i] = r
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.Operator != b.Operator {
			return a.Operator < b.Operator
		}
		return strings.Join(a.Values, ",") < strings.Join(b.Values, ",")
	})
	if len(out) == 0 {
		out = nil
	}
	return Selector{reqs: out}
}

// Requirements returns a copy of the selector's requirements in canonical
// order.
func (s Selector) Requirements() []Requirement {
	out := make([]Requirement, len(s.reqs))
	for i, r := range s.reqs {
		r.Values = append([]string(nil), r.Values...)
		out[i] = r
	}
	return out
}

// Empty reports whether the selector selects everything.
func (s Selector) Empty() bool { return !s.nothing && len(s.reqs) == 0 }

// Matches reports whether labels satisfy every requirement.
func (s Selector) Matches(labels map[string]string) bool {
	if s.nothing {
		return false
	}
	for _, r := range s.reqs {
		if !r.Matches(labels) {
			return false
		}
	}
	return true
}

// Matches reports whether labels satisfy the requirement. A label that is
// absent satisfies "!=" and "notin"; "gt" and "lt" need the label to be an
// integer.
func (r Requirement) Matches(labels map[string]string) bool {
	v, has := labels[r.Key]
	switch r.Operator {
	case OpEquals, OpDoubleEquals, OpIn:
		return has && contains(r.Values, v)
	case OpNotEquals, OpNotIn:
		return !has || !contains(r.Values, v)
	case OpExists:
		return has
	case OpDoesNotExist:
		return !has
	case OpGreaterThan, OpLessThan:
		if !has || len(r.Values) != 1 {
			return false
		}
		lv, err1 := strconv.ParseInt(v, 10, 64)
		rv, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == OpGreaterThan {
			return lv > rv
		}
		return lv < rv
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// String prints the requirement in kubectl -l syntax.
func (r Requirement) String() string {
	switch r.Operator {
	case OpExists:
		return r.Key
	case OpDoesNotExist:
		return "!" + r.Key
	case OpIn, OpNotIn:
		return r.Key + " " + r.Operator + " (" + strings.Join(r.Values, ",") + ")"
	case OpGreaterThan:
		return r.Key + ">" + strings.Join(r.Values, ",")
	case OpLessThan:
		return r.Key + "<" + strings.Join(r.Values, ",")
	}
	return r.Key + r.Operator + strings.Join(r.Values, ",")
}

// String prints the selector canonically in kubectl -l syntax; ParseSelector
// reads it back to an equal selector. Everything prints as "". Nothing also
// prints as "" (as in Kubernetes): it has no text form, so never send a
// selector that may be Nothing as text.
func (s Selector) String() string {
	parts := make([]string, len(s.reqs))
	for i, r := range s.reqs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// ParseSelector reads a label selector in kubectl -l syntax:
//
//	a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3
//
// Requirements are separated by commas and all must hold; whitespace around
// tokens is ignored. "" selects everything. Keys must be qualified names and
// values valid label values. Errors name the offending token and its byte
// position.
func ParseSelector(s string) (Selector, error) {
	p := &selectorParser{toks: lexSelector(s)}
	var reqs []Requirement
	if p.peek().kind == tokEOS {
		return Everything(), nil
	}
	for {
		r, err := p.requirement()
		if err != nil {
			return Selector{}, fmt.Errorf("unable to parse requirement: %v", err)
		}
		reqs = append(reqs, r)
		switch t := p.next(); t.kind {
		case tokEOS:
			return newSelector(reqs), nil
		case tokComma:
		default:
			return Selector{}, fmt.Errorf("unable to parse requirement: found '%s' at position %d, expected: ',' or 'end of string'", t.text, t.pos)
		}
	}
}

type tokKind int

const (
	tokEOS tokKind = iota
	tokIdent
	tokComma
	tokOpenParen
	tokCloseParen
	tokNot     // !
	tokEquals  // =
	tokDEquals // ==
	tokNEquals // !=
	tokGT      // >
	tokLT      // <
	tokIn      // in
	tokNotIn   // notin
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// singleCharTokens are the tokens one character long that no longer token
// begins with.
var singleCharTokens = [256]tokKind{',': tokComma, '(': tokOpenParen, ')': tokCloseParen, '>': tokGT, '<': tokLT}

// isSelectorSpecial reports whether c ends an identifier.
func isSelectorSpecial(c byte) bool {
	switch c {
	case '!', '=', '(', ')', ',', '<', '>':
		return true
	}
	return false
}

func isSelectorSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// lexSelector splits a selector into tokens, always ending with tokEOS.
func lexSelector(s string) []token {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSelectorSpace(c):
			i++
		case singleCharTokens[c] != 0:
			toks = append(toks, token{singleCharTokens[c], string(c), i})
			i++
		case c == '=':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{tokDEquals, "==", i})
				i += 2
			} else {
				toks = append(toks, token{tokEquals, "=", i})
				i++
			}
		case c == '!':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{tokNEquals, "!=", i})
				i += 2
			} else {
				toks = append(toks, token{tokNot, "!", i})
				i++
			}
		default:
			start := i
			for i < len(s) && !isSelectorSpace(s[i]) && !isSelectorSpecial(s[i]) {
				i++
			}
			text := s[start:i]
			kind := tokIdent
			switch text {
			case "in":
				kind = tokIn
			case "notin":
				kind = tokNotIn
			}
			toks = append(toks, token{kind, text, start})
		}
	}
	return append(toks, token{tokEOS, "", len(s)})
}

type selectorParser struct {
	toks []token
	i    int
}

func (p *selectorParser) peek() token { return p.toks[p.i] }

func (p *selectorParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOS {
		p.i++
	}
	return t
}

// describe names a token for an error message.
func (t token) describe() string {
	if t.kind == tokEOS {
		return fmt.Sprintf("end of string at position %d", t.pos)
	}
	return fmt.Sprintf("'%s' at position %d", t.text, t.pos)
}

// requirement parses: '!' key | key [op value] | key (in|notin) '(' values ')'.
// "in" and "notin" are also accepted as keys where a key is expected. Values
// may be empty, so "a in ()" is the set holding only "" (Kubernetes rejects
// it; accepting it lets String print that set re-parseably).
func (p *selectorParser) requirement() (Requirement, error) {
	negate := false
	if p.peek().kind == tokNot {
		p.next()
		negate = true
	}
	kt := p.next()
	if kt.kind != tokIdent && kt.kind != tokIn && kt.kind != tokNotIn {
		return Requirement{}, fmt.Errorf("found %s, expected: identifier", kt.describe())
	}
	if msgs := IsQualifiedName(kt.text); len(msgs) > 0 {
		return Requirement{}, fmt.Errorf("key %q at position %d: %s", kt.text, kt.pos, strings.Join(msgs, "; "))
	}
	key := kt.text
	if negate {
		return Requirement{Key: key, Operator: OpDoesNotExist}, nil
	}
	ot := p.peek()
	var op string
	switch ot.kind {
	case tokEOS, tokComma:
		return Requirement{Key: key, Operator: OpExists}, nil
	case tokEquals, tokDEquals:
		op = OpEquals
	case tokNEquals:
		op = OpNotEquals
	case tokGT:
		op = OpGreaterThan
	case tokLT:
		op = OpLessThan
	case tokIn:
		op = OpIn
	case tokNotIn:
		op = OpNotIn
	default:
		return Requirement{}, fmt.Errorf("found %s after key %q, expected: %s", ot.describe(), key, "'=', '==', '!=', '>', '<', 'in', 'notin', ',' or end of string")
	}
	p.next()
	var vals []string
	if op == OpIn || op == OpNotIn {
		if t := p.next(); t.kind != tokOpenParen {
			return Requirement{}, fmt.Errorf("found %s after %q, expected: '('", t.describe(), op)
		}
		for {
			v := ""
			vt := p.peek()
			if vt.kind == tokIdent || vt.kind == tokIn || vt.kind == tokNotIn {
				p.next()
				v = vt.text
			}
			if err := checkSelectorValue(v, vt); err != nil {
				return Requirement{}, err
			}
			vals = append(vals, v)
			t := p.next()
			if t.kind == tokCloseParen {
				break
			}
			if t.kind != tokComma {
				return Requirement{}, fmt.Errorf("found %s in the values of %q, expected: ',' or ')'", t.describe(), key)
			}
		}
	} else {
		v := ""
		vt := p.peek()
		if vt.kind == tokIdent || vt.kind == tokIn || vt.kind == tokNotIn {
			p.next()
			v = vt.text
		}
		if op == OpGreaterThan || op == OpLessThan {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return Requirement{}, fmt.Errorf("value %q at position %d: for 'gt', 'lt' operators, the value must be an integer", v, vt.pos)
			}
		} else if err := checkSelectorValue(v, vt); err != nil {
			return Requirement{}, err
		}
		vals = []string{v}
	}
	return Requirement{Key: key, Operator: op, Values: vals}, nil
}

func checkSelectorValue(v string, at token) error {
	if msgs := IsValidLabelValue(v); len(msgs) > 0 {
		return fmt.Errorf("value %q at position %d: %s", v, at.pos, strings.Join(msgs, "; "))
	}
	return nil
}

// SelectorFromLabelSelector converts the structured selector of a
// ReplicaSet, Deployment or Service-like object. A nil selector selects
// nothing, an empty one everything. Keys, values and operators are
// validated: In and NotIn need values, Exists and DoesNotExist take none.
func SelectorFromLabelSelector(ls *LabelSelector) (Selector, error) {
	if ls == nil {
		return Nothing(), nil
	}
	var reqs []Requirement
	for _, k := range slices.Sorted(maps.Keys(ls.MatchLabels)) {
		v := ls.MatchLabels[k]
		if msgs := IsQualifiedName(k); len(msgs) > 0 {
			return Selector{}, fmt.Errorf("matchLabels: key %q: %s", k, strings.Join(msgs, "; "))
		}
		if msgs := IsValidLabelValue(v); len(msgs) > 0 {
			return Selector{}, fmt.Errorf("matchLabels[%s]: value %q: %s", k, v, strings.Join(msgs, "; "))
		}
		reqs = append(reqs, Requirement{Key: k, Operator: OpEquals, Values: []string{v}})
	}
	for i, e := range ls.MatchExpressions {
		where := fmt.Sprintf("matchExpressions[%d]", i)
		if msgs := IsQualifiedName(e.Key); len(msgs) > 0 {
			return Selector{}, fmt.Errorf("%s: key %q: %s", where, e.Key, strings.Join(msgs, "; "))
		}
		var op string
		switch e.Operator {
		case "In":
			op = OpIn
		case "NotIn":
			op = OpNotIn
		case "Exists":
			op = OpExists
		case "DoesNotExist":
			op = OpDoesNotExist
		default:
			return Selector{}, fmt.Errorf("%s: %q is not a valid label selector operator (use In, NotIn, Exists or DoesNotExist)", where, e.Operator)
		}
		switch op {
		case OpIn, OpNotIn:
			if len(e.Values) == 0 {
				return Selector{}, fmt.Errorf("%s: operator %s needs at least one value", where, e.Operator)
			}
		default:
			if len(e.Values) > 0 {
				return Selector{}, fmt.Errorf("%s: operator %s takes no values, got %d", where, e.Operator, len(e.Values))
			}
		}
		for _, v := range e.Values {
			if msgs := IsValidLabelValue(v); len(msgs) > 0 {
				return Selector{}, fmt.Errorf("%s: value %q: %s", where, v, strings.Join(msgs, "; "))
			}
		}
		reqs = append(reqs, Requirement{Key: e.Key, Operator: op, Values: e.Values})
	}
	return newSelector(reqs), nil
}

// MatchesNodeSelectorTerms reports whether a node with these labels
// satisfies required node affinity: any one term must hold, and a term holds
// when all its expressions do. No terms, an empty term, or a malformed
// expression (unknown operator, Gt/Lt without exactly one integer value)
// match nothing, as in Kubernetes.
func MatchesNodeSelectorTerms(terms []NodeSelectorTerm, labels map[string]string) bool {
	for _, t := range terms {
		if nodeSelectorTermMatches(t, labels) {
			return true
		}
	}
	return false
}

func nodeSelectorTermMatches(t NodeSelectorTerm, labels map[string]string) bool {
	if len(t.MatchExpressions) == 0 {
		return false
	}
	for _, e := range t.MatchExpressions {
		r, ok := nodeRequirement(e)
		if !ok || !r.Matches(labels) {
			return false
		}
	}
	return true
}

// nodeRequirement converts a node selector expression, reporting false for
// one that is malformed.
func nodeRequirement(e NodeSelectorRequirement) (Requirement, bool) {
	r := Requirement{Key: e.Key, Values: e.Values}
	switch e.Operator {
	case "In":
		r.Operator = OpIn
	case "NotIn":
		r.Operator = OpNotIn
	case "Exists":
		r.Operator = OpExists
	case "DoesNotExist":
		r.Operator = OpDoesNotExist
	case "Gt", "Lt":
		r.Operator = OpGreaterThan
		if e.Operator == "Lt" {
			r.Operator = OpLessThan
		}
		if len(e.Values) != 1 {
			return r, false
		}
		if _, err := strconv.ParseInt(e.Values[0], 10, 64); err != nil {
			return r, false
		}
	default:
		return r, false
	}
	return r, true
}
