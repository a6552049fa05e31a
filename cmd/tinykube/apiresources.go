package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// resourceVerbs are the verbs the API server serves on every stored
// resource (virtual ones answer create only).
var resourceVerbs = []string{"create", "delete", "get", "list", "patch", "update", "watch"}

func (c *cli) apiResourcesCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "api-resources",
		Short: "List the kinds the server serves (custom resources included), with their short names",
		Long: `List the resources the server's discovery reports: the built-in kinds and
every custom resource a CustomResourceDefinition established, at its preferred
version. -o wide adds the verbs and categories.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "" && output != "wide" && output != "name" {
				return fmt.Errorf("--output %q is not available: use wide or name", output)
			}
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			rs, err := c.discover(cmd.Context(), cl)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(c.stdout, 0, 8, 3, ' ', 0)
			if output != "name" {
				header := "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND"
				if output == "wide" {
					header += "\tVERBS\tCATEGORIES"
				}
				fmt.Fprintln(w, header)
			}
			for _, r := range rs.All() {
				if rs.ByPlural(r.Group, r.Plural) != r {
					continue // not the preferred version
				}
				if output == "name" {
					fmt.Fprintln(w, r.GroupResource())
					continue
				}
				line := fmt.Sprintf("%s\t%s\t%s\t%t\t%s", r.Plural, strings.Join(r.ShortNames, ","), r.APIVersion(), r.Namespaced, r.Kind)
				if output == "wide" {
					verbs := resourceVerbs
					if r.Virtual {
						verbs = []string{"create"}
					}
					line += fmt.Sprintf("\t%s\t%s", strings.Join(verbs, ","), strings.Join(r.Categories(), ","))
				}
				fmt.Fprintln(w, line)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "wide (adds VERBS and CATEGORIES) or name")
	return cmd
}
