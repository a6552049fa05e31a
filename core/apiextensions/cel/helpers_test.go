package cel

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/api"
)

// mustSchema decodes a schema written as JSON.
func mustSchema(t testing.TB, s string) *api.JSONSchemaProps {
	t.Helper()
	var out api.JSONSchemaProps
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("schema %s: %v", s, err)
	}
	return &out
}

// mustObj decodes an object as the API server does: numbers as json.Number.
func mustObj(t testing.TB, s string) map[string]any {
	t.Helper()
	if s == "" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var out map[string]any
	if err := d.Decode(&out); err != nil {
		t.Fatalf("object %s: %v", s, err)
	}
	return out
}

// evalResult is what a table test expects of one expression: its value
// in Go form (bool, int64, string, []string, map[string][]string, or
// noneResult for optional.none; an optional with a value is that value),
// or the text of its error.
type evalResult struct {
	value any
	err   string
}

// noneResult stands for optional.none in an evalResult.
const noneResult = "optional.none"

// evalExpr compiles expr in the base environment (no self) and runs it
// with the rules' program options, returning its value in Go form or its
// error. A compile error fails the test: these expressions must check.
func evalExpr(t testing.TB, expr string) evalResult {
	t.Helper()
	env, err := baseEnv()
	if err != nil {
		t.Fatalf("baseEnv: %v", err)
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		t.Fatalf("Compile(%s): %v", expr, iss.Err())
	}
	prg, err := env.Program(ast, programOptions()...)
	if err != nil {
		t.Fatalf("Program(%s): %v", expr, err)
	}
	out, _, err := prg.Eval(map[string]any{})
	if err != nil {
		return evalResult{err: err.Error()}
	}
	return evalResult{value: goValue(t, out)}
}

// goValue turns a CEL result into the Go form evalResult compares.
func goValue(t testing.TB, v ref.Val) any {
	t.Helper()
	switch x := v.(type) {
	case *types.Optional:
		if !x.HasValue() {
			return noneResult
		}
		return goValue(t, x.GetValue())
	case traits.Lister:
		l, err := x.ConvertToNative(reflect.TypeOf([]string{}))
		if err != nil {
			t.Fatalf("list %v: %v", v, err)
		}
		return l
	case traits.Mapper:
		m, err := x.ConvertToNative(reflect.TypeOf(map[string][]string{}))
		if err != nil {
			t.Fatalf("map %v: %v", v, err)
		}
		return m
	case types.Int:
		return int64(x)
	}
	return v.Value()
}

// checkExprs evaluates each expression and reports those whose result
// differs from the one expected.
func checkExprs(t *testing.T, tests []exprTest) {
	t.Helper()
	for _, tt := range tests {
		got := evalExpr(t, tt.expr)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(evalResult{})); diff != "" {
			t.Errorf("eval(%s) = %+v, want %+v\n(-want +got)\n%s", tt.expr, got, tt.want, diff)
		}
	}
}

// exprTest is one row of a library's table: an expression and its result.
type exprTest struct {
	expr string
	want evalResult
}

// ok and fails build evalResults tersely.
func ok(v any) evalResult         { return evalResult{value: v} }
func fails(msg string) evalResult { return evalResult{err: msg} }
