package main

// The template output formats of get: -o jsonpath=TEMPLATE and
// -o custom-columns=HEADER:PATH,... Both evaluate Kubernetes' JSONPath
// templates with client-go's implementation (k8s.io/client-go/util/jsonpath),
// the one kubectl uses, over the objects' JSON.

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/tinykube/tinykube/core/api"
	"k8s.io/client-go/util/jsonpath"
)

// outputFormat is a parsed -o value.
type outputFormat struct {
	name string // "", wide, yaml, json, name, jsonpath, custom-columns
	arg  string // the template or the column specification
}

// parseOutput reads -o: a plain format or "jsonpath=…" /
// "custom-columns=…" (kubectl also accepts "jsonpath='…'" with quotes
// the shell left in place).
func parseOutput(o string) (outputFormat, error) {
	name, arg, _ := strings.Cut(o, "=")
	switch name {
	case "", "wide", "yaml", "json", "name":
		if arg != "" {
			break
		}
		return outputFormat{name: name}, nil
	case "jsonpath", "custom-columns":
		if arg == "" {
			return outputFormat{}, fmt.Errorf("%s format specified but no template given", name)
		}
		return outputFormat{name: name, arg: arg}, nil
	}
	return outputFormat{}, fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: custom-columns,json,jsonpath,name,wide,yaml", o)
}

// toGeneric turns an object or list into the map/slice form JSONPath walks.
func toGeneric(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return integers(out), nil
}

// integers replaces whole float64 numbers by int64, as Kubernetes'
// unstructured objects hold them, so that a port prints as 8080 and not
// 8080.0 or 1e+06, and compares equal to 8080 in a filter.
func integers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = integers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = integers(e)
		}
	case float64:
		if v == float64(int64(v)) {
			return int64(v)
		}
	}
	return v
}

// printJSONPath writes tmpl evaluated over data (an object, or a List of
// them). Missing keys print nothing, as kubectl's default
// --allow-missing-template-keys.
func printJSONPath(w io.Writer, tmpl string, data any) error {
	j := jsonpath.New("out").AllowMissingKeys(true)
	if err := j.Parse(tmpl); err != nil {
		return fmt.Errorf("error parsing jsonpath %s, %v", tmpl, err)
	}
	g, err := toGeneric(data)
	if err != nil {
		return err
	}
	if err := j.Execute(w, g); err != nil {
		return fmt.Errorf("error executing jsonpath %q: %v", tmpl, err)
	}
	return nil
}

// column is one custom column: its header and compiled path.
type column struct {
	header string
	path   *jsonpath.JSONPath
}

// relaxedPath accepts ".a.b", "a.b", "{.a.b}" and "{a.b}", as kubectl's
// custom columns do.
var relaxedPath = regexp.MustCompile(`^\{?(\.?[^{}]*)\}?$`)

// parseColumns reads "NAME:.metadata.name,IMAGE:.spec.containers[*].image".
func parseColumns(spec string) ([]column, error) {
	var cols []column
	for _, part := range strings.Split(spec, ",") {
		header, path, ok := strings.Cut(part, ":")
		if !ok || header == "" || path == "" {
			return nil, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
		}
		m := relaxedPath.FindStringSubmatch(path)
		if m == nil {
			return nil, fmt.Errorf("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}': %s", path)
		}
		expr := m[1]
		if !strings.HasPrefix(expr, ".") {
			expr = "." + expr
		}
		j := jsonpath.New(header).AllowMissingKeys(true)
		if err := j.Parse("{" + expr + "}"); err != nil {
			return nil, fmt.Errorf("custom column %s: %v", header, err)
		}
		cols = append(cols, column{header: header, path: j})
	}
	return cols, nil
}

// printCustomColumns writes one line per object with the columns of spec;
// a path that finds nothing shows "<none>", several values are joined by
// commas.
func printCustomColumns(w io.Writer, spec string, objs []api.Object, noHeaders bool) error {
	cols, err := parseColumns(spec)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
	if !noHeaders {
		var hs []string
		for _, c := range cols {
			hs = append(hs, c.header)
		}
		fmt.Fprintln(tw, strings.Join(hs, "\t"))
	}
	for _, o := range objs {
		api.SetTypeMeta(o)
		g, err := toGeneric(o)
		if err != nil {
			return err
		}
		var cells []string
		for _, c := range cols {
			results, err := c.path.FindResults(g)
			if err != nil {
				return err
			}
			var vals []string
			for _, rs := range results {
				for _, v := range rs {
					vals = append(vals, valueText(v.Interface()))
				}
			}
			if len(vals) == 0 {
				cells = append(cells, "<none>")
			} else {
				cells = append(cells, strings.Join(vals, ","))
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// valueText prints a JSON value as kubectl's custom columns do: scalars
// plainly, maps and lists in Go's %v form.
func valueText(v any) string {
	if v == nil {
		return "<none>"
	}
	return fmt.Sprint(v)
}
