package cel

import (
	"sync"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/ext"
	"github.com/google/cel-go/interpreter"
)

// The names rules use for the value at their place and its previous value.
const (
	selfVar    = "self"
	oldSelfVar = "oldSelf"
)

// maxListRange bounds lists.range(n), so a rule cannot build a huge list in
// one call whatever its cost.
const maxListRange = 10000

// baseEnv is the environment every rule starts from: standard CEL with its
// macros (has, all, exists, exists_one, map, filter), the cel-go extensions
// Kubernetes enables (strings v2, sets, two-variable comprehensions, lists
// v3, optional types), Kubernetes' own lists, regex, quantity, IP, CIDR,
// URL, named-format and semantic-version functions, and the checks Kubernetes applies to literals (regex, duration and
// timestamp literals must parse; list and map literals must be
// homogeneous). Nothing in it reads the clock: CEL has no now().
//
// It is the environment Kubernetes 1.37 gives a new CRD rule: the one of
// its compatibility version, 1.36, so the lists library's includes(),
// new in 1.37 and offered there only to rules already stored, is left
// out, as authz is (CRD rules have no authorizer).
//
// It is built once per process (cel.Env is immutable and safe to share).
var baseEnv = sync.OnceValues(func() (*cel.Env, error) {
	return cel.NewEnv(
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		cel.ASTValidators(
			cel.ValidateDurationLiterals(),
			cel.ValidateTimestampLiterals(),
			cel.ValidateRegexLiterals(),
			cel.ValidateHomogeneousAggregateLiterals(),
		),
		ext.Strings(ext.StringsVersion(2)),
		ext.Sets(),
		ext.TwoVarComprehensions(),
		ext.Lists(ext.ListsVersion(3), ext.ListsMaxRangeSize(maxListRange)),
		listsLibrary(),
		regexLibrary(),
		quantityLibrary(),
		ipLibrary(),
		cidrLibrary(),
		urlLibrary(),
		formatLibrary(),
		semverLibrary(),
	)
})

// ruleEnv returns the environment of the rules at one schema node: the base
// environment with the schema's types, self of type t, and oldSelf of type
// t, or of optional(t) when optionalOldSelf (the rule then runs on create
// too, with oldSelf none).
func ruleEnv(st *schemaTypes, t *types.Type, optionalOldSelf bool) (*cel.Env, error) {
	base, err := baseEnv()
	if err != nil {
		return nil, err
	}
	old := t
	if optionalOldSelf {
		old = types.NewOptionalType(t)
	}
	return base.Extend(
		st.provider(),
		cel.Variable(selfVar, t),
		cel.Variable(oldSelfVar, old),
	)
}

// programOptions make a program count its cost and stop once the cost
// passes perCallLimit: the interpreter checks the running cost as it goes,
// so a hostile rule ends with "operation cancelled: actual cost limit
// exceeded" instead of running on.
func programOptions() []cel.ProgramOption {
	return []cel.ProgramOption{
		cel.EvalOptions(cel.OptOptimize, cel.OptTrackCost),
		cel.CostLimit(perCallLimit),
		cel.CostTrackerOptions(interpreter.PresenceTestHasCost(false)),
	}
}
