package cel

import (
	"fmt"
	"math"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"

	"github.com/tinykube/tinykube/core/api"
)

// quantityType is the CEL type of a resource quantity, named as Kubernetes
// names it.
var quantityType = types.NewOpaqueType("kubernetes.Quantity")

// quantityLibrary adds Kubernetes' quantity functions over core/api's
// Quantity (exact to a thousandth of a unit, as tinykube's quantities are):
//
//	quantity(<string>) Quantity        an error if the string is not a quantity
//	isQuantity(<string>) bool
//	<Quantity>.sign() int               -1, 0 or 1
//	<Quantity>.isInteger() bool         a whole number of units
//	<Quantity>.asInteger() int          an error unless isInteger
//	<Quantity>.asApproximateFloat() double
//	<Quantity>.add(<Quantity|int>) Quantity, .sub(<Quantity|int>) Quantity
//	<Quantity>.isLessThan(<Quantity>) bool, .isGreaterThan(<Quantity>) bool
//	<Quantity>.compareTo(<Quantity>) int
//
// Quantities compare equal with == when they are the same amount.
func quantityLibrary() cel.EnvOption {
	q := quantityType
	qq := []*types.Type{q, q}
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("quantity", cel.Overload("string_to_quantity", []*types.Type{types.StringType}, q,
			cel.UnaryBinding(func(s ref.Val) ref.Val {
				str, ok := s.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(s)
				}
				v, err := api.ParseQuantity(string(str))
				if err != nil {
					return types.NewErr("%v", err)
				}
				return quantityVal{v}
			}))),
		cel.Function("isQuantity", cel.Overload("is_quantity_string", []*types.Type{types.StringType}, types.BoolType,
			cel.UnaryBinding(func(s ref.Val) ref.Val {
				str, ok := s.(types.String)
				if !ok {
					return types.MaybeNoSuchOverloadErr(s)
				}
				_, err := api.ParseQuantity(string(str))
				return types.Bool(err == nil)
			}))),
		cel.Function("sign", cel.MemberOverload("quantity_sign", []*types.Type{q}, types.IntType,
			cel.UnaryBinding(quantityUnary(func(a api.Quantity) ref.Val {
				return types.Int(a.Cmp(api.Quantity{}))
			})))),
		cel.Function("isInteger", cel.MemberOverload("quantity_is_integer", []*types.Type{q}, types.BoolType,
			cel.UnaryBinding(quantityUnary(func(a api.Quantity) ref.Val {
				return types.Bool(a.MilliValue()%1000 == 0)
			})))),
		cel.Function("asInteger", cel.MemberOverload("quantity_get_integer", []*types.Type{q}, types.IntType,
			cel.UnaryBinding(quantityUnary(func(a api.Quantity) ref.Val {
				if a.MilliValue()%1000 != 0 {
					return types.NewErr("cannot convert value to integer: %s is not a whole number", a.String())
				}
				return types.Int(a.MilliValue() / 1000)
			})))),
		cel.Function("asApproximateFloat", cel.MemberOverload("quantity_get_float", []*types.Type{q}, types.DoubleType,
			cel.UnaryBinding(quantityUnary(func(a api.Quantity) ref.Val {
				return types.Double(float64(a.MilliValue()) / 1000)
			})))),
		cel.Function("add",
			cel.MemberOverload("quantity_add", qq, q, cel.BinaryBinding(quantityArith(1))),
			cel.MemberOverload("quantity_add_int", []*types.Type{q, types.IntType}, q, cel.BinaryBinding(quantityArith(1)))),
		cel.Function("sub",
			cel.MemberOverload("quantity_sub", qq, q, cel.BinaryBinding(quantityArith(-1))),
			cel.MemberOverload("quantity_sub_int", []*types.Type{q, types.IntType}, q, cel.BinaryBinding(quantityArith(-1)))),
		cel.Function("isLessThan", cel.MemberOverload("quantity_less", qq, types.BoolType,
			cel.BinaryBinding(quantityCompare(func(c int) ref.Val { return types.Bool(c < 0) })))),
		cel.Function("isGreaterThan", cel.MemberOverload("quantity_greater", qq, types.BoolType,
			cel.BinaryBinding(quantityCompare(func(c int) ref.Val { return types.Bool(c > 0) })))),
		cel.Function("compareTo", cel.MemberOverload("quantity_compare", qq, types.IntType,
			cel.BinaryBinding(quantityCompare(func(c int) ref.Val { return types.Int(c) })))),
	}})
}

// quantityUnary adapts f to a CEL unary function on a quantity.
func quantityUnary(f func(api.Quantity) ref.Val) func(ref.Val) ref.Val {
	return func(v ref.Val) ref.Val {
		q, ok := v.(quantityVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(v)
		}
		return f(q.q)
	}
}

// quantityCompare adapts f, given the comparison of two quantities, to a
// CEL binary function.
func quantityCompare(f func(int) ref.Val) func(a, b ref.Val) ref.Val {
	return func(a, b ref.Val) ref.Val {
		qa, ok := a.(quantityVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(a)
		}
		qb, ok := b.(quantityVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(b)
		}
		return f(qa.q.Cmp(qb.q))
	}
}

// quantityArith returns the CEL function adding (sign 1) or subtracting
// (sign -1) a quantity or a whole number of units; overflow is an error.
func quantityArith(sign int64) func(a, b ref.Val) ref.Val {
	return func(a, b ref.Val) ref.Val {
		qa, ok := a.(quantityVal)
		if !ok {
			return types.MaybeNoSuchOverloadErr(a)
		}
		var milli int64
		switch b := b.(type) {
		case quantityVal:
			milli = b.q.MilliValue()
		case types.Int:
			if int64(b) > math.MaxInt64/1000 || int64(b) < math.MinInt64/1000 {
				return types.NewErr("quantity overflow")
			}
			milli = int64(b) * 1000
		default:
			return types.MaybeNoSuchOverloadErr(b)
		}
		x, y := qa.q.MilliValue(), sign*milli
		sum := x + y
		if (y > 0 && sum < x) || (y < 0 && sum > x) {
			return types.NewErr("quantity overflow")
		}
		r := qa.q
		r.Add(api.NewMilliQuantity(y, api.DecimalSI))
		return quantityVal{r}
	}
}

// quantityVal is a quantity as a CEL value.
type quantityVal struct{ q api.Quantity }

// ConvertToNative implements ref.Val: to api.Quantity or its string.
func (v quantityVal) ConvertToNative(t reflect.Type) (any, error) {
	switch t {
	case reflect.TypeOf(api.Quantity{}):
		return v.q, nil
	case reflect.TypeOf(""):
		return v.q.String(), nil
	}
	return nil, fmt.Errorf("type conversion error from Quantity to '%v'", t)
}

// ConvertToType implements ref.Val: to string or type.
func (v quantityVal) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case types.StringType:
		return types.String(v.q.String())
	case types.TypeType:
		return quantityType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", quantityType, t)
}

// Equal implements ref.Val: the same amount.
func (v quantityVal) Equal(o ref.Val) ref.Val {
	oq, ok := o.(quantityVal)
	if !ok {
		return types.False
	}
	return types.Bool(v.q.Cmp(oq.q) == 0)
}

// Type implements ref.Val.
func (v quantityVal) Type() ref.Type { return quantityType }

// Value implements ref.Val.
func (v quantityVal) Value() any { return v.q }
