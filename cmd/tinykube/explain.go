package main

// explain: the documentation of a custom resource's fields, read from the
// structural schema of its CustomResourceDefinition, laid out as kubectl
// explain lays it out.

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
)

func (c *cli) explainCommand() *cobra.Command {
	var recursive bool
	cmd := &cobra.Command{
		Use:   "explain RESOURCE[.FIELD...]",
		Short: "Document a custom resource's fields, from its definition's schema",
		Long: `Show the documentation of a custom resource or one of its fields, as its
CustomResourceDefinition's schema describes them.

  tinykube explain crontabs
  tinykube explain crontab.spec
  tinykube explain ct.spec.replicas`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			rs, err := c.discover(cmd.Context(), cl)
			if err != nil {
				return err
			}
			res, fields, err := splitExplainPath(rs, args[0])
			if err != nil {
				return err
			}
			if res.Custom == nil || res.Custom.Version.Schema == nil || res.Custom.Version.Schema.OpenAPIV3Schema == nil {
				return fmt.Errorf("tinykube explains custom resources from their definitions' schemas; %s has none to read (for built-in kinds see the OpenAPI document at /openapi/v3)", res.GroupResource())
			}
			return explain(c.stdout, res, fields, recursive)
		},
	}
	cmd.Flags().BoolVar(&recursive, "recursive", false, "list every nested field, without descriptions")
	return cmd
}

// splitExplainPath splits "crontab.spec.image" into the resource and the
// field path. The resource part may itself hold dots
// ("crontabs.stable.example.com.spec"): the longest prefix that names a
// resource wins.
func splitExplainPath(rs *api.ResourceSet, arg string) (*api.Resource, []string, error) {
	parts := strings.Split(arg, ".")
	for n := len(parts); n >= 1; n-- {
		if r, err := rs.Lookup(strings.Join(parts[:n], ".")); err == nil {
			return r, parts[n:], nil
		}
	}
	return nil, nil, fmt.Errorf("the server doesn't have a resource type %q", parts[0])
}

// explain writes kubectl explain's page for fields of res.
func explain(w io.Writer, res *api.Resource, fields []string, recursive bool) error {
	s := res.Custom.Version.Schema.OpenAPIV3Schema
	for i, f := range fields {
		next := childSchema(s, f)
		if next == nil {
			return fmt.Errorf("field %q does not exist in %s (at %s)", f, res.Kind, strings.Join(fields[:i+1], "."))
		}
		s = next
	}
	fmt.Fprintf(w, "GROUP:      %s\nKIND:       %s\nVERSION:    %s\n\n", res.Group, res.Kind, res.Version)
	if len(fields) > 0 {
		fmt.Fprintf(w, "FIELD: %s <%s>\n\n", fields[len(fields)-1], schemaType(s))
	}
	fmt.Fprintln(w, "DESCRIPTION:")
	desc := s.Description
	if desc == "" {
		desc = "<empty>"
	}
	for _, l := range strings.Split(desc, "\n") {
		fmt.Fprintf(w, "    %s\n", l)
	}
	props := properties(s)
	if len(props) == 0 {
		return nil
	}
	fmt.Fprintln(w, "FIELDS:")
	writeFields(w, s, 1, recursive)
	return nil
}

// properties returns the object schema whose fields are listed for s: s
// itself, or the items of a list of objects.
func properties(s *api.JSONSchemaProps) map[string]api.JSONSchemaProps {
	if s.Items != nil && s.Items.Schema != nil {
		return s.Items.Schema.Properties
	}
	return s.Properties
}

// writeFields lists the fields of s, sorted, each with its type, marked
// -required- when required, with its description (or, recursive, its
// own fields instead).
func writeFields(w io.Writer, s *api.JSONSchemaProps, level int, recursive bool) {
	required := s.Required
	if s.Items != nil && s.Items.Schema != nil {
		required = s.Items.Schema.Required
	}
	props := properties(s)
	indent := strings.Repeat("  ", level)
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p := props[name]
		req := ""
		if slices.Contains(required, name) {
			req = " -required-"
		}
		fmt.Fprintf(w, "%s%s\t<%s>%s\n", indent, name, schemaType(&p), req)
		if recursive {
			writeFields(w, &p, level+1, true)
			continue
		}
		desc := p.Description
		if desc == "" {
			desc = "<no description>"
		}
		for _, l := range strings.Split(desc, "\n") {
			fmt.Fprintf(w, "%s  %s\n", indent, l)
		}
		fmt.Fprintln(w)
	}
}

// childSchema returns the schema of field f under s (looking through a
// list to its items, and into a map's values), or nil.
func childSchema(s *api.JSONSchemaProps, f string) *api.JSONSchemaProps {
	if p, ok := properties(s)[f]; ok {
		return &p
	}
	return nil
}

// schemaType names a schema's type as kubectl explain does: string,
// integer, boolean, number, Object, []T for a list, map[string]T for a
// map, IntOrString.
func schemaType(s *api.JSONSchemaProps) string {
	switch {
	case s.XIntOrString:
		return "IntOrString"
	case s.Type == "array":
		if s.Items != nil && s.Items.Schema != nil {
			return "[]" + schemaType(s.Items.Schema)
		}
		return "[]Object"
	case s.Type == "object" && s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil && len(s.Properties) == 0:
		return "map[string]" + schemaType(s.AdditionalProperties.Schema)
	case s.Type == "object", s.Type == "":
		return "Object"
	}
	return s.Type
}
