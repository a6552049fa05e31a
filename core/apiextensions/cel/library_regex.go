package cel

import (
	"regexp"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// regexLibrary adds Kubernetes' regex functions (RE2 syntax, so matching
// is linear in the input):
//
//	<string>.find(<string>) string                 first match, "" if none
//	<string>.findAll(<string>) list<string>        every match
//	<string>.findAll(<string>, <int>) list<string> at most n matches (n < 0: all)
func regexLibrary() cel.EnvOption {
	ls := types.NewListType(types.StringType)
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("find", cel.MemberOverload("string_find_string",
			[]*types.Type{types.StringType, types.StringType}, types.StringType,
			cel.BinaryBinding(func(s, re ref.Val) ref.Val { return regexFind(s, re) }))),
		cel.Function("findAll",
			cel.MemberOverload("string_find_all_string",
				[]*types.Type{types.StringType, types.StringType}, ls,
				cel.BinaryBinding(func(s, re ref.Val) ref.Val { return regexFindAll(s, re, types.Int(-1)) })),
			cel.MemberOverload("string_find_all_string_int",
				[]*types.Type{types.StringType, types.StringType, types.IntType}, ls,
				cel.FunctionBinding(func(args ...ref.Val) ref.Val { return regexFindAll(args[0], args[1], args[2]) }))),
	}})
}

// compileRegex compiles the pattern argument, or returns an error value
// naming it.
func compileRegex(re ref.Val) (*regexp.Regexp, ref.Val) {
	p, ok := re.(types.String)
	if !ok {
		return nil, types.MaybeNoSuchOverloadErr(re)
	}
	r, err := regexp.Compile(string(p))
	if err != nil {
		return nil, types.NewErr("invalid regular expression %q: %v", string(p), err)
	}
	return r, nil
}

// regexFind returns the first match of re in s, or "".
func regexFind(s, re ref.Val) ref.Val {
	str, ok := s.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(s)
	}
	r, errv := compileRegex(re)
	if errv != nil {
		return errv
	}
	return types.String(r.FindString(string(str)))
}

// regexFindAll returns up to n matches of re in s (all when n < 0).
func regexFindAll(s, re, n ref.Val) ref.Val {
	str, ok := s.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(s)
	}
	limit, ok := n.(types.Int)
	if !ok {
		return types.MaybeNoSuchOverloadErr(n)
	}
	r, errv := compileRegex(re)
	if errv != nil {
		return errv
	}
	matches := r.FindAllString(string(str), int(limit))
	if matches == nil {
		matches = []string{}
	}
	return types.DefaultTypeAdapter.NativeToValue(matches)
}
