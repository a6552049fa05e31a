package api

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in   string
		want []Requirement
		str  string
	}{
		{"", nil, ""},
		{"   ", nil, ""},
		{"a=b", []Requirement{{"a", "=", []string{"b"}}}, "a=b"},
		{"a==b", []Requirement{{"a", "=", []string{"b"}}}, "a=b"},
		{"a=", []Requirement{{"a", "=", []string{""}}}, "a="},
		{"a!=b", []Requirement{{"a", "!=", []string{"b"}}}, "a!=b"},
		{" a = b , c != d ", []Requirement{{"a", "=", []string{"b"}}, {"c", "!=", []string{"d"}}}, "a=b,c!=d"},
		{"e in (y, x, x)", []Requirement{{"e", "in", []string{"x", "y"}}}, "e in (x,y)"},
		{"f notin (z)", []Requirement{{"f", "notin", []string{"z"}}}, "f notin (z)"},
		{"g", []Requirement{{"g", "exists", nil}}, "g"},
		{"!h", []Requirement{{"h", "!", nil}}, "!h"},
		{"i>3,j<-2", []Requirement{{"i", "gt", []string{"3"}}, {"j", "lt", []string{"-2"}}}, "i>3,j<-2"},
		{"z=1,a=2", []Requirement{{"a", "=", []string{"2"}}, {"z", "=", []string{"1"}}}, "a=2,z=1"},
		{"example.com/tier=web", []Requirement{{"example.com/tier", "=", []string{"web"}}}, "example.com/tier=web"},
		{"in=notin", []Requirement{{"in", "=", []string{"notin"}}}, "in=notin"},
		{"a in (,x)", []Requirement{{"a", "in", []string{"", "x"}}}, "a in (,x)"},
		{"a in ()", []Requirement{{"a", "in", []string{""}}}, "a in ()"},
		{"a=b,c!=d,e in (x,y),f notin (z),g,!h", []Requirement{
			{"a", "=", []string{"b"}}, {"c", "!=", []string{"d"}}, {"e", "in", []string{"x", "y"}},
			{"f", "notin", []string{"z"}}, {"g", "exists", nil}, {"h", "!", nil},
		}, "a=b,c!=d,e in (x,y),f notin (z),g,!h"},
	}
	for _, tt := range tests {
		s, err := ParseSelector(tt.in)
		if err != nil {
			t.Errorf("ParseSelector(%q) error: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, s.reqs); diff != "" {
			t.Errorf("ParseSelector(%q) requirements (-want +got):\n%s", tt.in, diff)
		}
		if got := s.String(); got != tt.str {
			t.Errorf("ParseSelector(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
	}
}

func TestParseSelectorErrors(t *testing.T) {
	tests := []struct{ in, wantSub string }{
		{"a=b,", "found end of string at position 4, expected: identifier"},
		{",a", "found ',' at position 0, expected: identifier"},
		{"a b", "found 'b' at position 2 after key \"a\", expected: '=', '==', '!=', '>', '<', 'in', 'notin', ',' or end of string"},
		{"a=b c", "found 'c' at position 4"},
		{"a in x", "found 'x' at position 5 after \"in\", expected: '('"},
		{"a in (x", "found end of string at position 7 in the values of \"a\""},
		{"a>x", "for 'gt', 'lt' operators, the value must be an integer"},
		{"a=b=c", "found '=' at position 3"},
		{"k@=v", `key "k@" at position 0: name part must consist of alphanumeric characters`},
		{"a=b@", `value "b@" at position 2: a valid label must be an empty string`},
		{"-a=b", `key "-a"`},
		{strings.Repeat("x", 64) + "=v", "name part must be no more than 63 characters"},
		{"a=" + strings.Repeat("x", 64), "must be no more than 63 characters"},
		{"a/b/c=d", "a qualified name"},
		{"Bad_Prefix/a=b", "prefix part a lowercase RFC 1123 subdomain"},
		{"!a=b", "found '=' at position 2"},
		{"a(", "found '(' at position 1 after key \"a\""},
	}
	for _, tt := range tests {
		s, err := ParseSelector(tt.in)
		if err == nil {
			t.Errorf("ParseSelector(%q) = %q, want error containing %q", tt.in, s, tt.wantSub)
			continue
		}
		if !strings.HasPrefix(err.Error(), "unable to parse requirement: ") || !strings.Contains(err.Error(), tt.wantSub) {
			t.Errorf("ParseSelector(%q) error = %q, want \"unable to parse requirement: ...%s...\"", tt.in, err, tt.wantSub)
		}
	}
}

func TestSelectorMatches(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": "front", "gen": "3", "empty": ""}
	tests := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"app=web", true},
		{"app==web", true},
		{"app=db", false},
		{"app!=db", true},
		{"missing!=x", true},
		{"app in (web,db)", true},
		{"app notin (web)", false},
		{"missing notin (x)", true},
		{"missing in (x)", false},
		{"app", true},
		{"missing", false},
		{"!missing", true},
		{"!app", false},
		{"gen>2", true},
		{"gen>3", false},
		{"gen<4", true},
		{"app>1", false}, // not an integer
		{"missing<4", false},
		{"empty=", true},
		{"empty", true},
		{"app=web,tier=back", false},
		{"app=web,tier in (front, back),!canary", true},
	}
	for _, tt := range tests {
		s, err := ParseSelector(tt.sel)
		if err != nil {
			t.Fatalf("ParseSelector(%q) error: %v", tt.sel, err)
		}
		if got := s.Matches(labels); got != tt.want {
			t.Errorf("ParseSelector(%q).Matches(%v) = %v, want %v", tt.sel, labels, got, tt.want)
		}
	}
	if Nothing().Matches(labels) || Nothing().Matches(nil) {
		t.Errorf("Nothing().Matches = true, want false")
	}
	if !Everything().Matches(nil) || !Everything().Empty() || Nothing().Empty() {
		t.Errorf("Everything/Nothing: Matches(nil)=%v Empty()=%v Nothing.Empty()=%v, want true true false",
			Everything().Matches(nil), Everything().Empty(), Nothing().Empty())
	}
}

func TestSelectorFromSet(t *testing.T) {
	s := SelectorFromSet(map[string]string{"b": "2", "a": "1"})
	if got := s.String(); got != "a=1,b=2" {
		t.Errorf("SelectorFromSet.String() = %q, want a=1,b=2", got)
	}
	if !s.Matches(map[string]string{"a": "1", "b": "2", "c": "3"}) || s.Matches(map[string]string{"a": "1"}) {
		t.Errorf("SelectorFromSet(a=1,b=2) matches wrongly")
	}
	if !SelectorFromSet(nil).Empty() {
		t.Errorf("SelectorFromSet(nil).Empty() = false, want true")
	}
}

func TestSelectorFromLabelSelector(t *testing.T) {
	tests := []struct {
		name    string
		ls      *LabelSelector
		want    string
		nothing bool
		wantErr string
	}{
		{name: "nil selects nothing", ls: nil, nothing: true},
		{name: "empty selects everything", ls: &LabelSelector{}, want: ""},
		{name: "labels and expressions", ls: &LabelSelector{
			MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []LabelSelectorRequirement{
				{Key: "tier", Operator: "In", Values: []string{"b", "a"}},
				{Key: "env", Operator: "NotIn", Values: []string{"prod"}},
				{Key: "x", Operator: "Exists"},
				{Key: "y", Operator: "DoesNotExist"},
			},
		}, want: "app=web,env notin (prod),tier in (a,b),x,!y"},
		{name: "unknown operator", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "a", Operator: "in", Values: []string{"x"}}}},
			wantErr: `matchExpressions[0]: "in" is not a valid label selector operator`},
		{name: "In without values", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "a", Operator: "In"}}},
			wantErr: "matchExpressions[0]: operator In needs at least one value"},
		{name: "Exists with values", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "a", Operator: "Exists", Values: []string{"x"}}}},
			wantErr: "matchExpressions[0]: operator Exists takes no values"},
		{name: "bad key", ls: &LabelSelector{MatchLabels: map[string]string{"a b": "x"}},
			wantErr: `matchLabels: key "a b"`},
		{name: "bad value", ls: &LabelSelector{MatchLabels: map[string]string{"a": "x y"}},
			wantErr: `matchLabels[a]: value "x y"`},
	}
	for _, tt := range tests {
		s, err := SelectorFromLabelSelector(tt.ls)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: SelectorFromLabelSelector error = %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: SelectorFromLabelSelector error: %v", tt.name, err)
			continue
		}
		if tt.nothing {
			if s.Matches(map[string]string{}) || s.Empty() {
				t.Errorf("%s: selector matches something, want nothing", tt.name)
			}
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("%s: String() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestMatchesNodeSelectorTerms(t *testing.T) {
	labels := map[string]string{"zone": "a", "cores": "8", "gpu": ""}
	term := func(exprs ...NodeSelectorRequirement) NodeSelectorTerm {
		return NodeSelectorTerm{MatchExpressions: exprs}
	}
	req := func(k, op string, vals ...string) NodeSelectorRequirement {
		return NodeSelectorRequirement{Key: k, Operator: op, Values: vals}
	}
	tests := []struct {
		name  string
		terms []NodeSelectorTerm
		want  bool
	}{
		{"no terms", nil, false},
		{"empty term", []NodeSelectorTerm{{}}, false},
		{"In", []NodeSelectorTerm{term(req("zone", "In", "a", "b"))}, true},
		{"In miss", []NodeSelectorTerm{term(req("zone", "In", "b"))}, false},
		{"NotIn", []NodeSelectorTerm{term(req("zone", "NotIn", "b"))}, true},
		{"NotIn absent", []NodeSelectorTerm{term(req("region", "NotIn", "b"))}, true},
		{"Exists", []NodeSelectorTerm{term(req("gpu", "Exists"))}, true},
		{"DoesNotExist", []NodeSelectorTerm{term(req("gpu", "DoesNotExist"))}, false},
		{"Gt", []NodeSelectorTerm{term(req("cores", "Gt", "4"))}, true},
		{"Gt equal", []NodeSelectorTerm{term(req("cores", "Gt", "8"))}, false},
		{"Lt", []NodeSelectorTerm{term(req("cores", "Lt", "16"))}, true},
		{"Gt non-integer value", []NodeSelectorTerm{term(req("cores", "Gt", "x"))}, false},
		{"Gt two values", []NodeSelectorTerm{term(req("cores", "Gt", "1", "2"))}, false},
		{"Gt label not integer", []NodeSelectorTerm{term(req("zone", "Gt", "1"))}, false},
		{"unknown operator", []NodeSelectorTerm{term(req("zone", "in", "a"))}, false},
		{"AND within a term", []NodeSelectorTerm{term(req("zone", "In", "a"), req("cores", "Lt", "4"))}, false},
		{"OR across terms", []NodeSelectorTerm{term(req("zone", "In", "b")), term(req("cores", "Gt", "4"))}, true},
	}
	for _, tt := range tests {
		if got := MatchesNodeSelectorTerms(tt.terms, labels); got != tt.want {
			t.Errorf("%s: MatchesNodeSelectorTerms(%+v) = %v, want %v", tt.name, tt.terms, got, tt.want)
		}
	}
}

// genLabelPart draws a short valid name or label value.
func genLabelPart(allowEmpty bool) *rapid.Generator[string] {
	re := "[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,6}[a-zA-Z0-9])?"
	if allowEmpty {
		return rapid.OneOf(rapid.Just(""), rapid.StringMatching(re))
	}
	return rapid.StringMatching(re)
}

func genRequirement() *rapid.Generator[Requirement] {
	return rapid.Custom(func(t *rapid.T) Requirement {
		key := genLabelPart(false).Draw(t, "key")
		if rapid.Bool().Draw(t, "prefixed") {
			key = rapid.StringMatching("[a-z]{1,5}(\\.[a-z]{1,5})?").Draw(t, "prefix") + "/" + key
		}
		op := rapid.SampledFrom([]string{"=", "==", "!=", "in", "notin", "exists", "!", "gt", "lt"}).Draw(t, "op")
		var vals []string
		switch op {
		case "=", "==", "!=":
			vals = []string{genLabelPart(true).Draw(t, "value")}
		case "in", "notin":
			vals = rapid.SliceOfN(genLabelPart(true), 1, 4).Draw(t, "values")
		case "gt", "lt":
			vals = []string{rapid.StringMatching("-?[0-9]{1,5}").Draw(t, "int")}
		}
		return Requirement{Key: key, Operator: op, Values: vals}
	})
}

// TestSelectorStringReparses checks that String is canonical: it parses
// back to an equal selector and prints the same again.
func TestSelectorStringReparses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		reqs := rapid.SliceOfN(genRequirement(), 0, 5).Draw(t, "reqs")
		s := newSelector(reqs)
		text := s.String()
		back, err := ParseSelector(text)
		if err != nil {
			t.Fatalf("ParseSelector(%q) error: %v", text, err)
		}
		if diff := cmp.Diff(s.reqs, back.reqs); diff != "" {
			t.Fatalf("ParseSelector(%q) differs (-built +parsed):\n%s", text, diff)
		}
		if back.String() != text {
			t.Fatalf("String not stable: %q then %q", text, back.String())
		}
		labels := rapid.MapOf(genLabelPart(false), genLabelPart(true)).Draw(t, "labels")
		if s.Matches(labels) != back.Matches(labels) {
			t.Fatalf("selector %q and its reparse disagree on %v", text, labels)
		}
	})
}
