package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/printers"
	"sigs.k8s.io/yaml"
)

// getFlags are the flags of get.
type getFlags struct {
	output        string
	selector      string
	fieldSelector string
	watch         bool
	allNamespaces bool
	noHeaders     bool
	showKind      bool
	// showManagedFields keeps metadata.managedFields in -o yaml|json,
	// which kubectl also leaves out unless asked: it is long and only
	// server-side apply reads it.
	showManagedFields bool
}

func (c *cli) getCommand() *cobra.Command {
	var f getFlags
	cmd := &cobra.Command{
		Use:   "get KIND[,KIND...] [NAME...] | KIND/NAME...",
		Short: "Show objects as a table, or as YAML, JSON or names",
		Long: `Show objects. KIND is a plural, singular or short name (pods, pod, po;
deployments, deploy; replicasets, rs; services, svc; nodes, no; namespaces, ns …).

  tinykube get pods                   a table of the pods in the namespace
  tinykube get deploy web -o yaml     one object as YAML
  tinykube get po -A -o wide          every namespace, with the wide columns
  tinykube get po -l app=web -w       follow changes as they happen`,
		Args: cobra.MinimumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return resourceNames(), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.runGet(cmd.Context(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "output format: wide, yaml, json, name, jsonpath=TEMPLATE or custom-columns=HEADER:PATH,...")
	fl.StringVarP(&f.selector, "selector", "l", "", "label selector, e.g. app=web,tier!=db or 'env in (prod,qa)'")
	fl.StringVar(&f.fieldSelector, "field-selector", "", "field selector, e.g. status.phase=Running or spec.nodeName=n1")
	fl.BoolVarP(&f.watch, "watch", "w", false, "after listing, print each change as it happens")
	fl.BoolVarP(&f.allNamespaces, "all-namespaces", "A", false, "list across every namespace")
	fl.BoolVar(&f.noHeaders, "no-headers", false, "leave out the table's header line")
	fl.BoolVar(&f.showKind, "show-kind", false, "prefix names with their kind")
	fl.BoolVar(&f.showManagedFields, "show-managed-fields", false, "keep metadata.managedFields in -o yaml and -o json")
	return cmd
}

// resourceNames lists what can follow get/describe/delete, for completion.
func resourceNames() []string {
	var out []string
	for _, r := range api.Resources() {
		out = append(out, r.Plural)
	}
	return out
}

// request is one kind and the names asked for (none: all of them).
type request struct {
	res   *api.Resource
	names []string
}

func (c *cli) runGet(ctx context.Context, args []string, f getFlags) error {
	format, err := parseOutput(f.output)
	if err != nil {
		return err
	}
	cl, ns, err := c.connect()
	if err != nil {
		return err
	}
	reqs, err := c.parseTargets(ctx, cl, args)
	if err != nil {
		return err
	}
	if f.allNamespaces {
		ns = ""
	}
	if f.watch {
		if len(reqs) != 1 || len(reqs[0].names) > 1 {
			return fmt.Errorf("you may only watch one kind (and at most one name) at a time")
		}
		return c.watchGet(ctx, cl, ns, reqs[0], f)
	}
	opts := client.ListOptions{LabelSelector: f.selector, FieldSelector: f.fieldSelector}
	var all []api.Object
	failed := false
	tables := 0
	singleObject := len(reqs) == 1 && len(reqs[0].names) == 1
	rows := 0
	for _, rq := range reqs {
		if format.name == "" || format.name == "wide" {
			// The table is the server's (server-side printing), as kubectl's.
			t, errs := fetchTable(ctx, cl, rq, ns, opts)
			for _, e := range errs {
				fmt.Fprintln(c.stderr, formatError(e))
				failed = true
			}
			if len(t.Rows) == 0 {
				continue
			}
			rows += len(t.Rows)
			if tables > 0 {
				fmt.Fprintln(c.stdout)
			}
			tables++
			popts := printers.PrintOptions{Wide: format.name == "wide", NoHeaders: f.noHeaders,
				WithNamespace: f.allNamespaces && rq.res.Namespaced, ShowKind: f.showKind || len(reqs) > 1}
			if err := t.Print(c.stdout, popts); err != nil {
				return err
			}
			continue
		}
		objs, errs := fetch(ctx, cl, rq, ns, opts)
		for _, e := range errs {
			fmt.Fprintln(c.stderr, formatError(e))
			failed = true
		}
		all = append(all, objs...)
	}
	if !f.showManagedFields {
		hideManagedFields(all)
	}
	switch format.name {
	case "", "wide":
		if rows == 0 && !failed {
			fmt.Fprintln(c.stderr, printers.NoResourcesMessage(ns, f.allNamespaces || !anyNamespaced(reqs)))
		}
	case "name":
		for _, o := range all {
			fmt.Fprintln(c.stdout, printers.Name(o))
		}
	case "custom-columns":
		if len(all) == 0 && !failed {
			fmt.Fprintln(c.stderr, printers.NoResourcesMessage(ns, f.allNamespaces || !anyNamespaced(reqs)))
			break
		}
		if err := printCustomColumns(c.stdout, format.arg, all, f.noHeaders); err != nil {
			return err
		}
	case "jsonpath":
		var data any = listOf(all)
		if singleObject && len(all) == 1 {
			api.SetTypeMeta(all[0])
			data = all[0]
		}
		if err := printJSONPath(c.stdout, format.arg, data); err != nil {
			return err
		}
	default:
		if singleObject && len(all) == 1 {
			if err := printObject(c.stdout, f.output, all[0]); err != nil {
				return err
			}
		} else if !(singleObject && failed) {
			if err := printList(c.stdout, f.output, all); err != nil {
				return err
			}
		}
	}
	if failed {
		return exitError{code: 1}
	}
	return nil
}

func anyNamespaced(reqs []request) bool {
	for _, r := range reqs {
		if r.res.Namespaced {
			return true
		}
	}
	return false
}

// fetch gets the named objects of one kind, or lists them all.
func fetch(ctx context.Context, cl *client.Client, rq request, ns string, opts client.ListOptions) ([]api.Object, []error) {
	r := client.Dynamic(cl, rq.res)
	if len(rq.names) == 0 {
		l, err := r.List(ctx, ns, opts)
		if err != nil {
			return nil, []error{err}
		}
		return l.Items, nil
	}
	var objs []api.Object
	var errs []error
	for _, n := range rq.names {
		o, err := r.Get(ctx, ns, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		objs = append(objs, o)
	}
	return objs, errs
}

// hideManagedFields drops metadata.managedFields from objects about to be
// printed.
func hideManagedFields(objs []api.Object) {
	for _, o := range objs {
		o.GetObjectMeta().ManagedFields = nil
	}
}

// printObject writes one object as JSON (indented as kubectl does) or YAML.
func printObject(w io.Writer, format string, obj api.Object) error {
	api.SetTypeMeta(obj)
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return printJSON(w, format, b)
}

func printJSON(w io.Writer, format string, b []byte) error {
	if format == "yaml" {
		y, err := yaml.JSONToYAML(b)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "    "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// kubectlList is the List kubectl prints objects of several kinds in.
type kubectlList struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []api.Object      `json:"items"`
	Metadata   map[string]string `json:"metadata"`
}

// listOf wraps objects in a kubectl-style List.
func listOf(objs []api.Object) kubectlList {
	for _, o := range objs {
		api.SetTypeMeta(o)
	}
	return kubectlList{"v1", "List", append([]api.Object{}, objs...), map[string]string{"resourceVersion": ""}}
}

// printList writes objects as a kubectl-style List.
func printList(w io.Writer, format string, objs []api.Object) error {
	b, err := json.Marshal(listOf(objs))
	if err != nil {
		return err
	}
	return printJSON(w, format, b)
}

// watchGet lists, prints, then follows the watch from the list's revision,
// printing each changed object as it arrives, until interrupted. When the
// server ends the watch it resumes from the last revision seen, and when that
// revision was compacted it lists again.
func (c *cli) watchGet(ctx context.Context, cl *client.Client, ns string, rq request, f getFlags) error {
	r := client.Dynamic(cl, rq.res)
	opts := client.ListOptions{LabelSelector: f.selector, FieldSelector: f.fieldSelector}
	if len(rq.names) == 1 {
		sel := "metadata.name=" + rq.names[0]
		if opts.FieldSelector != "" {
			sel += "," + opts.FieldSelector
		}
		opts.FieldSelector = sel
	}
	popts := printers.PrintOptions{Wide: f.output == "wide", NoHeaders: f.noHeaders, WithNamespace: ns == "" && rq.res.Namespaced, ShowKind: f.showKind}
	headerDone := false
	emit := func(objs []api.Object) error {
		switch f.output {
		case "", "wide":
			t := printers.TableFor(rq.res, objs, time.Now())
			o := popts
			o.NoHeaders = o.NoHeaders || headerDone
			headerDone = true
			return t.Print(c.stdout, o)
		case "name":
			for _, obj := range objs {
				fmt.Fprintln(c.stdout, printers.Name(obj))
			}
		default:
			format, _ := parseOutput(f.output) // checked by runGet
			switch format.name {
			case "jsonpath":
				for _, obj := range objs {
					api.SetTypeMeta(obj)
					if err := printJSONPath(c.stdout, format.arg, obj); err != nil {
						return err
					}
				}
				return nil
			case "custom-columns":
				err := printCustomColumns(c.stdout, format.arg, objs, f.noHeaders || headerDone)
				headerDone = true
				return err
			}
			if !f.showManagedFields {
				hideManagedFields(objs)
			}
			for _, obj := range objs {
				if f.output == "yaml" {
					fmt.Fprintln(c.stdout, "---")
				}
				if err := printObject(c.stdout, f.output, obj); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for {
		l, err := r.List(ctx, ns, opts)
		if err != nil {
			return err
		}
		if len(l.Items) > 0 {
			if err := emit(l.Items); err != nil {
				return err
			}
		}
		rv := l.ResourceVersion
	follow:
		for {
			wopts := opts
			wopts.ResourceVersion = rv
			w, err := r.Watch(ctx, ns, wopts)
			if api.IsExpired(err) {
				break follow
			}
			if err != nil {
				return err
			}
			for {
				ev, ok := w.Next()
				if ok {
					if ev.Err != nil {
						w.Stop()
						if api.IsExpired(ev.Err) {
							break follow
						}
						return ev.Err
					}
					rv = ev.Object.GetObjectMeta().ResourceVersion
					if err := emit([]api.Object{ev.Object}); err != nil {
						w.Stop()
						return err
					}
					continue
				}
				if w.Done() {
					break // the server closed the watch: resume from rv
				}
				select {
				case <-w.Ready():
				case <-ctx.Done():
					w.Stop()
					return nil
				}
			}
			w.Stop()
		}
	}
}
