package cel

import (
	"encoding/json"
	"strings"
	"testing"
)

// numsObj returns {"spec":{"nums":[0,1,...,n-1]}}.
func numsObj(t testing.TB, n int) map[string]any {
	nums := make([]any, n)
	for i := range nums {
		nums[i] = json.Number(strings.Repeat("1", 1+i%3))
	}
	return map[string]any{"spec": map[string]any{"nums": nums}}
}

// TestCostLimitStopsHostileRule: a triple comprehension over 300 items
// (27 million steps) stops at the per-call limit, and no later rule runs.
func TestCostLimitStopsHostileRule(t *testing.T) {
	rules := `[{"rule":"self.nums.all(x, self.nums.all(y, self.nums.all(z, x + y + z > 0)))"},{"rule":"false","message":"never reached"}]`
	r, errs := Compile(mustSchema(t, testSchema(t, rules)), "s")
	if errs != nil {
		t.Fatalf("Compile = %v", errs)
	}
	got := r.Validate(numsObj(t, 300), nil)
	if len(got) != 1 {
		t.Fatalf("Validate(hostile) = %v, want one error", got)
	}
	want := `spec: Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.nums.all(x, self.nums.all(y, self.nums.all(z, x + y + z > 0)))`
	if got[0].Error() != want {
		t.Errorf("Validate(hostile) = %s, want %s", got[0], want)
	}
}

// TestCostLimitOnMessageExpression: an expensive messageExpression stops
// validation with an error naming it.
func TestCostLimitOnMessageExpression(t *testing.T) {
	rules := `[{"rule":"false","messageExpression":"self.nums.all(x, self.nums.all(y, self.nums.all(z, x + y + z > 0))) ? 'a' : 'b'"}]`
	r, errs := Compile(mustSchema(t, testSchema(t, rules)), "s")
	if errs != nil {
		t.Fatalf("Compile = %v", errs)
	}
	got := errorStrings(r.Validate(numsObj(t, 300), nil))
	if len(got) != 1 || !strings.Contains(got[0], "call cost exceeds limit for messageExpression") {
		t.Errorf("Validate = %q, want one error about the messageExpression's cost", got)
	}
}

// TestCostBudgetSharedByRules: the budget of one Validate call is spent by
// every rule together; once it runs out, validation stops with an error.
func TestCostBudgetSharedByRules(t *testing.T) {
	rules := `[{"rule":"self.nums.all(x, x > 0)"},{"rule":"self.nums.all(x, x > 0)"},{"rule":"false","message":"never reached"}]`
	r, errs := Compile(mustSchema(t, testSchema(t, rules)), "s")
	if errs != nil {
		t.Fatalf("Compile = %v", errs)
	}
	obj := numsObj(t, 100)
	// One rule costs a few hundred units here; a budget of 500 pays for
	// the first and runs out in the second.
	v := &validator{budget: 500}
	v.walk(r.root, "", obj, nil)
	want := `spec: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run`
	if got := errorStrings(v.errs); len(got) != 1 || got[0] != want {
		t.Errorf("walk with budget 500 = %q, want [%s]", got, want)
	}
	if errs := r.Validate(obj, nil); len(errs) != 1 || errs[0].Detail != "never reached" {
		t.Errorf("Validate with the full budget = %v, want only the third rule's failure", errs)
	}
}

// TestLibraryCallsCostLittle: each IP, CIDR, URL, format and semver call
// costs one unit whatever the length of its argument (parsing is linear
// and bounded by the schema's maxLength), so a rule like
// self.all(h, !isIP(h)) costs a few units per element.
func TestLibraryCallsCostLittle(t *testing.T) {
	long := strings.Repeat("a", 4096)
	tests := []struct {
		expr string
		want uint64
	}{
		{`isIP('10.0.0.1')`, 1},
		{`isIP('` + long + `')`, 1},
		{`isURL('https://` + long + `.example.com/')`, 1},
		{`ip('10.0.0.1').isLoopback()`, 2},
		{`cidr('10.0.0.0/8').containsIP('10.1.2.3')`, 2},
		{`format.dns1123Label().validate('` + long + `').hasValue()`, 3},
		{`semver('1.2.3').isLessThan(semver('1.2.4'))`, 3},
		{`url('https://example.com/?a=1').getQuery().size()`, 3},
	}
	env, err := baseEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		ast, iss := env.Compile(tt.expr)
		if iss.Err() != nil {
			t.Fatalf("Compile(%.40s...): %v", tt.expr, iss.Err())
		}
		prg, err := env.Program(ast, programOptions()...)
		if err != nil {
			t.Fatal(err)
		}
		_, det, err := prg.Eval(map[string]any{})
		if err != nil {
			t.Fatalf("Eval(%.40s...): %v", tt.expr, err)
		}
		if got := *det.ActualCost(); got != tt.want {
			t.Errorf("cost of %.60s = %d, want %d", tt.expr, got, tt.want)
		}
	}
}
