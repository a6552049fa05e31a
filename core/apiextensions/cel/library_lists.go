package cel

import (
	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"
)

// listsLibrary adds Kubernetes' list functions:
//
//	<list<T>>.isSorted() bool       T comparable (int, uint, double, bool, string, bytes, duration, timestamp)
//	<list<T>>.min() T, .max() T     an error on an empty list
//	<list<T>>.sum() T               T int, uint, double or duration; 0 for an empty list
//	<list<T>>.indexOf(T) int        first position of the value, -1 if absent
//	<list<T>>.lastIndexOf(T) int    last position, -1 if absent
//
// Overloads are per element type, so [1, 2].sum() checks and ['a'].sum()
// does not, as in Kubernetes.
func listsLibrary() cel.EnvOption {
	comparable := []*types.Type{types.IntType, types.UintType, types.DoubleType, types.BoolType,
		types.StringType, types.BytesType, types.DurationType, types.TimestampType}
	summable := []*types.Type{types.IntType, types.UintType, types.DoubleType, types.DurationType}

	var isSorted, minimum, maximum, sum []cel.FunctionOpt
	for _, t := range comparable {
		lt := types.NewListType(t)
		n := t.TypeName()
		isSorted = append(isSorted, cel.MemberOverload("list_"+n+"_is_sorted", []*types.Type{lt}, types.BoolType,
			cel.UnaryBinding(listIsSorted)))
		minimum = append(minimum, cel.MemberOverload("list_"+n+"_min", []*types.Type{lt}, t,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return listExtreme(v, "min", -1) })))
		maximum = append(maximum, cel.MemberOverload("list_"+n+"_max", []*types.Type{lt}, t,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return listExtreme(v, "max", 1) })))
	}
	for _, t := range summable {
		zero := zeroOf(t)
		sum = append(sum, cel.MemberOverload("list_"+t.TypeName()+"_sum", []*types.Type{types.NewListType(t)}, t,
			cel.UnaryBinding(func(v ref.Val) ref.Val { return listSum(v, zero) })))
	}
	param := types.NewTypeParamType("T")
	lt := types.NewListType(param)
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("isSorted", isSorted...),
		cel.Function("min", minimum...),
		cel.Function("max", maximum...),
		cel.Function("sum", sum...),
		cel.Function("indexOf", cel.MemberOverload("list_a_index_of_a", []*types.Type{lt, param}, types.IntType,
			cel.BinaryBinding(func(l, v ref.Val) ref.Val { return listIndexOf(l, v, false) }))),
		cel.Function("lastIndexOf", cel.MemberOverload("list_a_last_index_of_a", []*types.Type{lt, param}, types.IntType,
			cel.BinaryBinding(func(l, v ref.Val) ref.Val { return listIndexOf(l, v, true) }))),
	}})
}

// zeroOf returns the sum of no elements of type t.
func zeroOf(t *types.Type) ref.Val {
	switch t {
	case types.UintType:
		return types.Uint(0)
	case types.DoubleType:
		return types.Double(0)
	case types.DurationType:
		return types.Duration{}
	}
	return types.Int(0)
}

// listItems returns the elements of a CEL list, or an error value.
func listItems(v ref.Val) ([]ref.Val, ref.Val) {
	l, ok := v.(traits.Lister)
	if !ok {
		return nil, types.MaybeNoSuchOverloadErr(v)
	}
	n, ok := l.Size().(types.Int)
	if !ok {
		return nil, types.NewErr("list size is not an int")
	}
	out := make([]ref.Val, 0, int(n))
	for i := types.Int(0); i < n; i++ {
		out = append(out, l.Get(i))
	}
	return out, nil
}

// compare returns a.Compare(b) as an int, or an error value when the
// elements do not compare.
func compare(a, b ref.Val) (int, ref.Val) {
	c, ok := a.(traits.Comparer)
	if !ok {
		return 0, types.MaybeNoSuchOverloadErr(a)
	}
	r := c.Compare(b)
	i, ok := r.(types.Int)
	if !ok {
		return 0, r
	}
	return int(i), nil
}

// listIsSorted reports whether each element is no greater than the next.
func listIsSorted(v ref.Val) ref.Val {
	items, errv := listItems(v)
	if errv != nil {
		return errv
	}
	for i := 1; i < len(items); i++ {
		c, errv := compare(items[i-1], items[i])
		if errv != nil {
			return errv
		}
		if c > 0 {
			return types.False
		}
	}
	return types.True
}

// listExtreme returns the least (want -1) or greatest (want 1) element;
// name is the function, for the empty-list error.
func listExtreme(v ref.Val, name string, want int) ref.Val {
	items, errv := listItems(v)
	if errv != nil {
		return errv
	}
	if len(items) == 0 {
		return types.NewErr("%s called on empty list", name)
	}
	best := items[0]
	for _, it := range items[1:] {
		c, errv := compare(it, best)
		if errv != nil {
			return errv
		}
		if c == want {
			best = it
		}
	}
	return best
}

// listSum adds the elements to zero; overflow is an error value, as CEL's
// + reports it.
func listSum(v, zero ref.Val) ref.Val {
	items, errv := listItems(v)
	if errv != nil {
		return errv
	}
	acc := zero
	for _, it := range items {
		a, ok := acc.(traits.Adder)
		if !ok {
			return types.MaybeNoSuchOverloadErr(acc)
		}
		acc = a.Add(it)
		if types.IsError(acc) {
			return acc
		}
	}
	return acc
}

// listIndexOf returns the first (or, when last, the final) position of x in
// the list, or -1.
func listIndexOf(l, x ref.Val, last bool) ref.Val {
	items, errv := listItems(l)
	if errv != nil {
		return errv
	}
	found := -1
	for i, it := range items {
		if it.Equal(x) == types.True {
			found = i
			if !last {
				break
			}
		}
	}
	return types.Int(found)
}

// funcLib wraps environment options as a cel.Library, so each Kubernetes
// library is installed with cel.Lib like cel-go's own extensions.
type funcLib struct {
	opts  []cel.EnvOption
	progs []cel.ProgramOption
}

// CompileOptions implements cel.Library.
func (l *funcLib) CompileOptions() []cel.EnvOption { return l.opts }

// ProgramOptions implements cel.Library.
func (l *funcLib) ProgramOptions() []cel.ProgramOption { return l.progs }
