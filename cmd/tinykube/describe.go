package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/printers"
)

func (c *cli) describeCommand() *cobra.Command {
	var selector string
	var allNamespaces bool
	cmd := &cobra.Command{
		Use:   "describe KIND [NAME...] | KIND/NAME",
		Short: "Show objects in detail, with their recent events",
		Args:  cobra.MinimumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return resourceNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			reqs, err := c.parseTargets(cmd.Context(), cl, args)
			if err != nil {
				return err
			}
			if allNamespaces {
				ns = ""
			}
			failed, shown := false, 0
			for _, rq := range reqs {
				objs, errs := fetch(cmd.Context(), cl, rq, ns, client.ListOptions{LabelSelector: selector})
				for _, e := range errs {
					fmt.Fprintln(c.stderr, formatError(e))
					failed = true
				}
				for _, o := range objs {
					if shown > 0 {
						fmt.Fprintln(c.stdout)
					}
					shown++
					if err := c.describeOne(cmd.Context(), cl, o); err != nil {
						return err
					}
				}
			}
			if shown == 0 && !failed {
				fmt.Fprintln(c.stderr, printers.NoResourcesMessage(ns, allNamespaces))
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&selector, "selector", "l", "", "label selector")
	cmd.Flags().BoolVarP(&allNamespaces, "all-namespaces", "A", false, "describe across every namespace")
	return cmd
}

// describeOne prints one object with the events about it.
func (c *cli) describeOne(ctx context.Context, cl *client.Client, obj api.Object) error {
	meta := obj.GetObjectMeta()
	evNS := meta.Namespace
	if evNS == "" {
		evNS = "default" // events about cluster-scoped objects live here
	}
	var events []api.Event
	l, err := client.For[*api.Event](cl).List(ctx, evNS, client.ListOptions{
		FieldSelector: "involvedObject.name=" + meta.Name + ",involvedObject.uid=" + meta.UID})
	if err == nil {
		for _, e := range l.Items {
			events = append(events, *e)
		}
	}
	if svc, ok := obj.(*api.Service); ok {
		ep, err := client.For[*api.Endpoints](cl).Get(ctx, svc.Namespace, svc.Name)
		if err != nil {
			ep = nil
		}
		return printers.DescribeService(c.stdout, svc, ep, events, time.Now())
	}
	return printers.Describe(c.stdout, obj, events, time.Now())
}
