package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func (c *cli) deleteCommand() *cobra.Command {
	var files []string
	var selector string
	var all, ignoreNotFound, now bool
	var grace int64
	var cascade string
	cmd := &cobra.Command{
		Use:   "delete KIND NAME... | KIND/NAME... | KIND -l SEL | KIND --all | -f FILE",
		Short: "Delete objects by name, by label, or as listed in manifests",
		Long: `Delete objects. Deletion is graceful: a pod running on a node gets its grace
period to stop, and an object with finalizers stays until they are done.`,
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return resourceNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			opts := client.DeleteOptions{}
			switch cascade {
			case "background", "true", "":
			case "orphan", "false":
				opts.PropagationPolicy = "Orphan"
			case "foreground":
				opts.PropagationPolicy = "Foreground"
			default:
				return fmt.Errorf("invalid --cascade %q: use background, foreground or orphan", cascade)
			}
			if opts.PropagationPolicy == "" && cascade != "" {
				opts.PropagationPolicy = "Background"
			}
			if cmd.Flags().Changed("grace-period") {
				opts.GracePeriodSeconds = &grace
			}
			if now {
				one := int64(1)
				opts.GracePeriodSeconds = &one
			}
			type victim struct {
				res      *api.Resource
				ns, name string
			}
			var victims []victim
			switch {
			case len(files) > 0:
				if len(args) > 0 {
					return fmt.Errorf("give either -f FILE or KIND NAME, not both")
				}
				ms, err := readManifests(files, c.stdin)
				if err != nil {
					return err
				}
				for _, m := range ms {
					if err := c.resolve(cmd.Context(), cl, &m); err != nil {
						return err
					}
					mns := ""
					if m.res.Namespaced {
						mns = m.namespace
						if mns == "" {
							mns = ns
						}
					}
					victims = append(victims, victim{m.res, mns, m.name})
				}
			case len(args) == 0:
				return fmt.Errorf("you must provide one or more resources by argument or filename")
			default:
				reqs, err := c.parseTargets(cmd.Context(), cl, args)
				if err != nil {
					return err
				}
				for _, rq := range reqs {
					vns := ns
					if !rq.res.Namespaced {
						vns = ""
					}
					if len(rq.names) > 0 {
						for _, n := range rq.names {
							victims = append(victims, victim{rq.res, vns, n})
						}
						continue
					}
					if !all && selector == "" {
						return fmt.Errorf("resource(s) were provided, but no name was specified: give names, -l SELECTOR, or --all")
					}
					l, err := client.Dynamic(cl, rq.res).List(cmd.Context(), vns, client.ListOptions{LabelSelector: selector})
					if err != nil {
						return err
					}
					for _, o := range l.Items {
						victims = append(victims, victim{rq.res, o.GetObjectMeta().Namespace, o.GetObjectMeta().Name})
					}
				}
			}
			failed := false
			for _, v := range victims {
				if err := c.deleteOne(cmd.Context(), cl, v.res, v.ns, v.name, opts); err != nil {
					if ignoreNotFound && api.IsNotFound(err) {
						continue
					}
					fmt.Fprintln(c.stderr, formatError(err))
					failed = true
					continue
				}
			}
			if len(victims) == 0 {
				fmt.Fprintln(c.stderr, "No resources found")
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&files, "filename", "f", nil, "delete the objects in these manifests")
	fl.StringVarP(&selector, "selector", "l", "", "delete the objects matching this label selector")
	fl.BoolVar(&all, "all", false, "delete every object of the kind in the namespace")
	fl.BoolVar(&ignoreNotFound, "ignore-not-found", false, "treat objects that do not exist as deleted")
	fl.Int64Var(&grace, "grace-period", -1, "seconds a pod gets to stop (0 deletes it at once from the API)")
	fl.BoolVar(&now, "now", false, "give pods a 1-second grace period")
	fl.StringVar(&cascade, "cascade", "background", "what happens to dependents: background (deleted after), foreground (deleted first) or orphan (kept, their owner reference removed)")
	return cmd
}

// deleteOne deletes an object and says so as kubectl does.
func (c *cli) deleteOne(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string, opts client.DeleteOptions) error {
	if _, err := client.Dynamic(cl, res).Delete(ctx, ns, name, opts); err != nil {
		return err
	}
	k := res.Singular
	if res.Group != "" {
		k += "." + res.Group
	}
	fmt.Fprintf(c.stdout, "%s %q deleted\n", k, name)
	return nil
}
