package cel

import (
	"fmt"
	"net/url"
	"reflect"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
)

// urlType is the CEL type of a parsed URL, named as Kubernetes names it.
var urlType = types.NewOpaqueType("kubernetes.URL")

// urlLibrary adds Kubernetes' URL functions:
//
//	url(<string>) URL             an error unless the string is an absolute URI
//	                              ("https://host/p") or an absolute path ("/p")
//	isURL(<string>) bool
//	<URL>.getScheme() string      "" when absent, as for the others
//	<URL>.getHost() string        with the port, IPv6 in brackets: "[::1]:80"
//	<URL>.getHostname() string    without the port or brackets: "::1"
//	<URL>.getPort() string
//	<URL>.getEscapedPath() string "/a%20b"
//	<URL>.getQuery() map<string, list<string>>   keys and values unescaped
//
// The check is net/url's ParseRequestURI, the one the OpenAPI "uri" format
// uses; the URL is then parsed again with url.Parse, which keeps a fragment
// out of the path and query. Two URL values are == when they print the
// same.
func urlLibrary() cel.EnvOption {
	u := []*types.Type{urlType}
	str := []*types.Type{types.StringType}
	part := func(name, id string, f func(*url.URL) string) cel.EnvOption {
		return cel.Function(name, cel.MemberOverload(id, u, types.StringType, cel.UnaryBinding(func(v ref.Val) ref.Val {
			x, ok := v.(urlVal)
			if !ok {
				return types.MaybeNoSuchOverloadErr(v)
			}
			return types.String(f(x.u))
		})))
	}
	return cel.Lib(&funcLib{opts: []cel.EnvOption{
		cel.Function("url", cel.Overload("string_to_url", str, urlType, cel.UnaryBinding(stringToURL))),
		cel.Function("isURL", cel.Overload("is_url_string", str, types.BoolType, cel.UnaryBinding(func(v ref.Val) ref.Val {
			s, ok := v.(types.String)
			if !ok {
				return types.MaybeNoSuchOverloadErr(v)
			}
			_, err := url.ParseRequestURI(string(s))
			return types.Bool(err == nil)
		}))),
		part("getScheme", "url_get_scheme", func(x *url.URL) string { return x.Scheme }),
		part("getHost", "url_get_host", func(x *url.URL) string { return x.Host }),
		part("getHostname", "url_get_hostname", (*url.URL).Hostname),
		part("getPort", "url_get_port", (*url.URL).Port),
		part("getEscapedPath", "url_get_escaped_path", (*url.URL).EscapedPath),
		cel.Function("getQuery", cel.MemberOverload("url_get_query", u,
			types.NewMapType(types.StringType, types.NewListType(types.StringType)), cel.UnaryBinding(urlQuery))),
	}})
}

// stringToURL is url(string): the parsed URL, or an error value with
// net/url's reason.
func stringToURL(v ref.Val) ref.Val {
	s, ok := v.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	if _, err := url.ParseRequestURI(string(s)); err != nil {
		return types.NewErr("URL parse error during conversion from string: %v", err)
	}
	u, err := url.Parse(string(s))
	if err != nil {
		return types.NewErr("URL parse error during conversion from string: %v", err)
	}
	return urlVal{u}
}

// urlQuery returns the query as a map from each key to all its values, in
// the order they appear; an empty map when there is no query.
func urlQuery(v ref.Val) ref.Val {
	x, ok := v.(urlVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(v)
	}
	q := x.u.Query()
	m := make(map[ref.Val]ref.Val, len(q))
	for k, vs := range q {
		m[types.String(k)] = types.NewStringList(types.DefaultTypeAdapter, vs)
	}
	return types.NewRefValMap(types.DefaultTypeAdapter, m)
}

// urlVal is a parsed URL as a CEL value.
type urlVal struct{ u *url.URL }

// ConvertToNative implements ref.Val: to *url.URL or its string.
func (v urlVal) ConvertToNative(t reflect.Type) (any, error) {
	switch t {
	case reflect.TypeOf(v.u):
		return v.u, nil
	case reflect.TypeOf(""):
		return v.u.String(), nil
	}
	return nil, fmt.Errorf("type conversion error from 'URL' to '%v'", t)
}

// ConvertToType implements ref.Val: to type only, as Kubernetes has it
// (string(url(x)) does not check).
func (v urlVal) ConvertToType(t ref.Type) ref.Val {
	switch t {
	case urlType:
		return v
	case types.TypeType:
		return urlType
	}
	return types.NewErr("type conversion error from '%s' to '%s'", urlType, t)
}

// Equal implements ref.Val: the same URL once printed.
func (v urlVal) Equal(o ref.Val) ref.Val {
	ou, ok := o.(urlVal)
	if !ok {
		return types.MaybeNoSuchOverloadErr(o)
	}
	return types.Bool(v.u.String() == ou.u.String())
}

// Type implements ref.Val.
func (v urlVal) Type() ref.Type { return urlType }

// Value implements ref.Val.
func (v urlVal) Value() any { return v.u }
