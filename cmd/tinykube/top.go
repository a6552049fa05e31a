package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// `tinykube top` reads the resource metrics API (metrics.k8s.io/v1beta1,
// served from the metrics pipeline) and prints what kubectl top prints,
// column for column.

// metricsPath is the resource metrics API's group version.
const metricsPath = "/apis/" + api.MetricsGroup + "/v1beta1"

// metricsCreationDelay is how old a pod may be before its missing
// metrics are an error rather than "not yet" (kubectl's).
const metricsCreationDelay = 2 * time.Minute

// topOptions are the flags of top nodes and top pods.
type topOptions struct {
	selector      string
	sortBy        string
	allNamespaces bool
	containers    bool
	noHeaders     bool
}

func (c *cli) topCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Show the CPU and memory use of nodes or pods",
		Long: `Show the CPU and memory use of nodes or pods, as the metrics pipeline last
measured them (the resource metrics API, metrics.k8s.io), as kubectl top does.

  tinykube top nodes
  tinykube top pods -A --sort-by=cpu
  tinykube top pods -l app=web --containers`,
	}
	cmd.AddCommand(c.topNodesCommand(), c.topPodsCommand())
	return cmd
}

func (c *cli) topNodesCommand() *cobra.Command {
	var o topOptions
	cmd := &cobra.Command{
		Use:     "nodes [NAME]",
		Aliases: []string{"node", "no"},
		Short:   "Show the CPU and memory use of nodes, and its share of what they can allocate",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(args); err != nil {
				return err
			}
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			return c.topNodes(cmd.Context(), cl, first(args), o)
		},
	}
	o.flags(cmd, false)
	return cmd
}

func (c *cli) topPodsCommand() *cobra.Command {
	var o topOptions
	cmd := &cobra.Command{
		Use:     "pods [NAME]",
		Aliases: []string{"pod", "po"},
		Short:   "Show the CPU and memory use of pods (or of their containers)",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(args); err != nil {
				return err
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			return c.topPods(cmd.Context(), cl, ns, first(args), o)
		},
	}
	o.flags(cmd, true)
	return cmd
}

func first(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

func (o *topOptions) flags(cmd *cobra.Command, pods bool) {
	fl := cmd.Flags()
	fl.StringVarP(&o.selector, "selector", "l", "", "a label selector: only the nodes or pods it selects")
	fl.StringVar(&o.sortBy, "sort-by", "", "sort by cpu or memory, most first (default: by name)")
	fl.BoolVar(&o.noHeaders, "no-headers", false, "print no header line")
	if pods {
		fl.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "pods of every namespace")
		fl.BoolVar(&o.containers, "containers", false, "one line per container")
	}
}

// validate checks the flags as kubectl does, with its words.
func (o *topOptions) validate(args []string) error {
	if o.sortBy != "" && o.sortBy != "cpu" && o.sortBy != "memory" {
		return errors.New("--sort-by accepts only cpu or memory")
	}
	if len(args) > 0 && o.selector != "" {
		return errors.New("only one of NAME or selector can be provided")
	}
	return nil
}

// getMetrics reads one metrics path into out. A server without the group
// is told as kubectl tells it.
func getMetrics(ctx context.Context, cl *client.Client, path, selector string, out any) error {
	if _, err := cl.Do(ctx, &rest.Request{Method: "GET", Path: "/apis/" + api.MetricsGroup}); err != nil {
		if api.IsNotFound(err) {
			return errors.New("Metrics API not available")
		}
		return err
	}
	q := url.Values{}
	if selector != "" {
		q.Set("labelSelector", selector)
	}
	resp, err := cl.Do(ctx, &rest.Request{Method: "GET", Path: path, Query: q})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return fmt.Errorf("the metrics at %s do not decode: %v", path, err)
	}
	return nil
}

// topNodes prints NAME CPU(cores) CPU(%) MEMORY(bytes) MEMORY(%) for each
// node (the percentages of its allocatable), and <unknown> for a node
// without metrics.
func (c *cli) topNodes(ctx context.Context, cl *client.Client, name string, o topOptions) error {
	var items []api.NodeMetrics
	if name != "" {
		var m api.NodeMetrics
		if err := getMetrics(ctx, cl, metricsPath+"/nodes/"+name, "", &m); err != nil {
			return err
		}
		items = []api.NodeMetrics{m}
	} else {
		var l struct{ Items []api.NodeMetrics }
		if err := getMetrics(ctx, cl, metricsPath+"/nodes", o.selector, &l); err != nil {
			return err
		}
		items = l.Items
	}
	if len(items) == 0 {
		return errors.New("metrics not available yet")
	}
	var nodes []*api.Node
	if name != "" {
		n, err := client.For[*api.Node](cl).Get(ctx, "", name)
		if err != nil {
			return err
		}
		nodes = []*api.Node{n}
	} else {
		l, err := client.For[*api.Node](cl).List(ctx, "", client.ListOptions{LabelSelector: o.selector})
		if err != nil {
			return err
		}
		nodes = l.Items
	}
	allocatable := map[string]api.ResourceList{}
	for _, n := range nodes {
		allocatable[n.Name] = n.Status.Allocatable
	}
	sortMetrics(items, o.sortBy, func(m api.NodeMetrics) (string, api.ResourceList) { return m.Name, m.Usage })
	w := kubectlTabWriter(c.stdout)
	defer w.Flush()
	if !o.noHeaders {
		fmt.Fprint(w, "NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n")
	}
	for _, m := range items {
		a, ok := allocatable[m.Name]
		fmt.Fprintf(w, "%s\t%s\t", m.Name, cpuCell(m.Usage.Cpu()))
		if ok {
			fmt.Fprintf(w, "%s\t", percent(m.Usage.Cpu(), a.Cpu()))
		}
		fmt.Fprintf(w, "%s\t", memoryCell(m.Usage.Memory()))
		if ok {
			fmt.Fprintf(w, "%s\t", percent(m.Usage.Memory(), a.Memory()))
		}
		fmt.Fprintln(w)
		delete(allocatable, m.Name)
	}
	// Nodes the pipeline has no metrics of.
	for _, n := range slices.Sorted(maps.Keys(allocatable)) {
		fmt.Fprintf(w, "%s\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n", n)
	}
	return nil
}

// topPods prints [NAMESPACE] [POD] NAME CPU(cores) MEMORY(bytes) for each
// pod (or container, with --containers); with no metrics it says why as
// kubectl does.
func (c *cli) topPods(ctx context.Context, cl *client.Client, ns, name string, o topOptions) error {
	path := metricsPath + "/namespaces/" + ns + "/pods"
	if o.allNamespaces {
		path = metricsPath + "/pods"
	}
	var items []api.PodMetrics
	if name != "" {
		var m api.PodMetrics
		if err := getMetrics(ctx, cl, metricsPath+"/namespaces/"+ns+"/pods/"+name, "", &m); err != nil {
			return err
		}
		items = []api.PodMetrics{m}
	} else {
		var l struct{ Items []api.PodMetrics }
		if err := getMetrics(ctx, cl, path, o.selector, &l); err != nil {
			return err
		}
		items = l.Items
	}
	if len(items) == 0 {
		return c.whyNoPodMetrics(ctx, cl, ns, o)
	}
	for i := range items {
		items[i].Namespace = cmp.Or(items[i].Namespace, ns)
	}
	sum := func(m api.PodMetrics) (string, api.ResourceList) {
		key := m.Name
		if o.allNamespaces {
			key = m.Namespace + "/" + m.Name
		}
		return key, podUsage(m)
	}
	sortMetrics(items, o.sortBy, sum)
	w := kubectlTabWriter(c.stdout)
	defer w.Flush()
	if !o.noHeaders {
		if o.allNamespaces {
			fmt.Fprint(w, "NAMESPACE\t")
		}
		if o.containers {
			fmt.Fprint(w, "POD\t")
		}
		fmt.Fprint(w, "NAME\tCPU(cores)\tMEMORY(bytes)\t\n")
	}
	for _, m := range items {
		lines := []api.ContainerMetrics{{Name: m.Name, Usage: podUsage(m)}}
		if o.containers {
			lines = slices.Clone(m.Containers)
			sortMetrics(lines, o.sortBy, func(cm api.ContainerMetrics) (string, api.ResourceList) { return cm.Name, cm.Usage })
		}
		for _, l := range lines {
			if o.allNamespaces {
				fmt.Fprintf(w, "%s\t", m.Namespace)
			}
			if o.containers {
				fmt.Fprintf(w, "%s\t", m.Name)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t\n", l.Name, cpuCell(l.Usage.Cpu()), memoryCell(l.Usage.Memory()))
		}
	}
	return nil
}

// whyNoPodMetrics explains an empty answer as kubectl does: no pods at
// all ("No resources found", not an error); a pod older than two minutes
// still unmeasured (an error naming it); else "metrics not available yet".
func (c *cli) whyNoPodMetrics(ctx context.Context, cl *client.Client, ns string, o topOptions) error {
	listNS := ns
	if o.allNamespaces {
		listNS = ""
	}
	l, err := client.For[*api.Pod](cl).List(ctx, listNS, client.ListOptions{LabelSelector: o.selector})
	if err != nil {
		return err
	}
	if len(l.Items) == 0 {
		msg := fmt.Sprintf("No resources found in %s namespace.", ns)
		if o.allNamespaces {
			msg = "No resources found"
		}
		fmt.Fprintln(c.stderr, msg)
		return nil
	}
	for _, p := range l.Items {
		if p.CreationTimestamp != nil {
			if age := time.Since(p.CreationTimestamp.Time); age > metricsCreationDelay {
				return fmt.Errorf("Metrics not available for pod %s/%s, age: %s", p.Namespace, p.Name, age.Round(time.Second))
			}
		}
	}
	return errors.New("metrics not available yet")
}

// podUsage sums a pod's containers.
func podUsage(m api.PodMetrics) api.ResourceList {
	var cpu, mem api.Quantity
	for _, c := range m.Containers {
		cpu.Add(c.Usage.Cpu())
		mem.Add(c.Usage.Memory())
	}
	return api.ResourceList{api.ResourceCPU: cpu, api.ResourceMemory: mem}
}

// sortMetrics orders items by name (key), or by cpu or memory, most
// first, as kubectl's sorters do.
func sortMetrics[T any](items []T, by string, of func(T) (string, api.ResourceList)) {
	slices.SortStableFunc(items, func(a, b T) int {
		ka, ua := of(a)
		kb, ub := of(b)
		switch by {
		case "cpu":
			return ub.Cpu().Cmp(ua.Cpu())
		case "memory":
			return ub.Memory().Cmp(ua.Memory())
		}
		return cmp.Compare(ka, kb)
	})
}

// cpuCell and memoryCell print as kubectl: millicores, and whole MiB.
func cpuCell(q api.Quantity) string    { return fmt.Sprintf("%dm", q.MilliValue()) }
func memoryCell(q api.Quantity) string { return fmt.Sprintf("%dMi", q.Value()/(1024*1024)) }

// percent is used's share of available, truncated, as kubectl prints it.
func percent(used, available api.Quantity) string {
	if available.IsZero() {
		return "0%"
	}
	return fmt.Sprintf("%d%%", int64(float64(used.MilliValue())/float64(available.MilliValue())*100))
}

// kubectlTabWriter aligns columns as kubectl's printers do.
func kubectlTabWriter(out io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(out, 6, 4, 3, ' ', 0)
}
