package printers

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// Table is what `get` shows for a list of objects of one kind: the columns
// and one row per object, in the order given. It always holds every column,
// wide ones included; Print drops the wide ones unless asked for them.
type Table struct {
	// Kind is the qualified lower-case kind ("pod", "deployment.apps")
	// that --show-kind puts before each name.
	Kind    string
	Columns []Column
	Rows    []Row
}

// Column is one column of a table. Name is the header exactly as printed
// ("CLUSTER-IP", "NOMINATED NODE").
type Column struct {
	Name string
	Wide bool // shown only with -o wide
}

// Row is one object's line: its namespace (for the NAMESPACE column of -A),
// its name, and one cell per column of the table.
type Row struct {
	Namespace, Name string
	Cells           []string
	// Narrow replaces some cells, by column index, outside -o wide: kubectl
	// shortens a few values (a long list of load-balancer addresses) when
	// the table is narrow. Usually nil.
	Narrow map[int]string
}

// PrintOptions are the get flags that change a table's layout.
type PrintOptions struct {
	Wide          bool // -o wide: include the wide columns
	NoHeaders     bool // --no-headers
	WithNamespace bool // -A: a NAMESPACE column first
	ShowKind      bool // --show-kind: "pod/web-1" in the NAME column
}

// tablePrinter is how one kind is shown: its columns and how to fill a row.
// row receives an object of the kind's Go type and fills Cells (and Narrow),
// one cell per column.
type tablePrinter struct {
	columns []Column
	row     func(obj api.Object, now time.Time) Row
}

// tablePrinters maps a kind to its printer. Adding a kind is one entry here
// and one row function; kinds without an entry get NAME and AGE.
var tablePrinters = map[string]tablePrinter{
	"Pod":                       {podColumns, rowOf(podRow)},
	"Node":                      {nodeColumns, rowOf(nodeRow)},
	"Namespace":                 {namespaceColumns, rowOf(namespaceRow)},
	"ReplicaSet":                {replicaSetColumns, rowOf(replicaSetRow)},
	"Deployment":                {deploymentColumns, rowOf(deploymentRow)},
	"StatefulSet":               {statefulSetColumns, rowOf(statefulSetRow)},
	"DaemonSet":                 {daemonSetColumns, rowOf(daemonSetRow)},
	"Job":                       {jobColumns, rowOf(jobRow)},
	"CronJob":                   {cronJobColumns, rowOf(cronJobRow)},
	"PersistentVolumeClaim":     {claimColumns, rowOf(claimRow)},
	"PersistentVolume":          {volumeColumns, rowOf(volumeRow)},
	"StorageClass":              {storageClassColumns, rowOf(storageClassRow)},
	"PodDisruptionBudget":       {budgetColumns, rowOf(budgetRow)},
	"HorizontalPodAutoscaler":   {autoscalerColumns, rowOf(autoscalerRow)},
	"Service":                   {serviceColumns, rowOf(serviceRow)},
	"Endpoints":                 {endpointsColumns, rowOf(endpointsRow)},
	"Event":                     {eventColumns, rowOf(eventRow)},
	"ConfigMap":                 {configMapColumns, rowOf(configMapRow)},
	"Secret":                    {secretColumns, rowOf(secretRow)},
	"ServiceAccount":            {serviceAccountColumns, rowOf(serviceAccountRow)},
	"Lease":                     {leaseColumns, rowOf(leaseRow)},
	"Role":                      {roleColumns, rowOf(roleRow)},
	"ClusterRole":               {roleColumns, rowOf(clusterRoleRow)},
	"RoleBinding":               {roleBindingColumns, rowOf(roleBindingRow)},
	"ClusterRoleBinding":        {roleBindingColumns, rowOf(clusterRoleBindingRow)},
	"CertificateSigningRequest": {csrColumns, rowOf(csrRow)},
	"CustomResourceDefinition":  {crdColumns, rowOf(crdRow)},
}

// defaultPrinter is what kubectl shows for a kind it knows nothing about.
var defaultPrinter = tablePrinter{
	columns: []Column{{Name: "NAME"}, {Name: "AGE"}},
	row: func(obj api.Object, now time.Time) Row {
		m := obj.GetObjectMeta()
		return Row{Cells: []string{m.Name, Age(m.CreationTimestamp, now)}}
	},
}

// rowOf adapts a row function of one concrete type to the table's
// signature. Passing an object of another type is a caller bug and panics
// with both types named.
func rowOf[T api.Object](f func(T, time.Time) Row) func(api.Object, time.Time) Row {
	return func(obj api.Object, now time.Time) Row {
		t, ok := obj.(T)
		if !ok {
			var want T
			panic(fmt.Sprintf("printers: table for %T given a %T", want, obj))
		}
		return f(t, now)
	}
}

// TableFor builds the get table of objs, which must all be of r's kind, with
// ages measured from now. The columns are kubectl's for that kind (NAME and
// AGE for a kind without its own printer); a custom resource's are its
// printer columns (see customTable).
func TableFor(r *api.Resource, objs []api.Object, now time.Time) Table {
	if r.Custom != nil {
		if t, err := customTable(r, objs, now); err == nil {
			return t
		}
		// An object that does not encode cannot be printed by path;
		// fall back to its name and age.
		return defaultTable(r, objs, now)
	}
	p, ok := tablePrinters[r.Kind]
	if !ok {
		return defaultTable(r, objs, now)
	}
	if r.Storage != nil {
		// A version served by conversion (autoscaling/v1's autoscaler)
		// prints as the stored version does, as Kubernetes prints every
		// version from its internal object.
		stored := make([]api.Object, len(objs))
		for i, o := range objs {
			stored[i] = r.ToStorage(o)
		}
		objs = stored
	}
	return printWith(p, r, objs, now)
}

// defaultTable is the NAME and AGE table of a kind without a printer.
func defaultTable(r *api.Resource, objs []api.Object, now time.Time) Table {
	return printWith(defaultPrinter, r, objs, now)
}

// printWith builds the table of objs with printer p.
func printWith(p tablePrinter, r *api.Resource, objs []api.Object, now time.Time) Table {
	t := Table{Kind: QualifiedKind(r), Columns: p.columns}
	for _, obj := range objs {
		row := p.row(obj, now)
		m := obj.GetObjectMeta()
		row.Namespace, row.Name = m.Namespace, m.Name
		t.Rows = append(t.Rows, row)
	}
	return t
}

// Print writes the table as kubectl does: upper-case headers, left-aligned
// columns at least three spaces apart, no trailing spaces. A table without
// rows prints nothing (the caller says NoResourcesMessage instead). It
// returns the first write error.
func (t Table) Print(w io.Writer, opts PrintOptions) error {
	if len(t.Rows) == 0 {
		return nil
	}
	// kubectl's tab writer: minimum width 6, padding 3, spaces.
	tw := tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
	var show []int // indexes of the columns printed
	for i, c := range t.Columns {
		if !c.Wide || opts.Wide {
			show = append(show, i)
		}
	}
	if !opts.NoHeaders {
		var hs []string
		if opts.WithNamespace {
			hs = append(hs, "NAMESPACE")
		}
		for _, i := range show {
			hs = append(hs, t.Columns[i].Name)
		}
		fmt.Fprintln(tw, strings.Join(hs, "\t"))
	}
	for _, row := range t.Rows {
		var cs []string
		if opts.WithNamespace {
			cs = append(cs, row.Namespace)
		}
		for _, i := range show {
			cell := ""
			if i < len(row.Cells) {
				cell = row.Cells[i]
			}
			if s, ok := row.Narrow[i]; ok && !opts.Wide {
				cell = s
			}
			if opts.ShowKind && t.Columns[i].Name == "NAME" {
				cell = t.Kind + "/" + cell
			}
			cs = append(cs, cleanCell(cell))
		}
		fmt.Fprintln(tw, strings.Join(cs, "\t"))
	}
	return tw.Flush()
}

// cleanCell keeps a cell on its line and in its column: a tab or newline
// inside a value (an event message, say) would break the layout.
func cleanCell(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// NoResourcesMessage is what kubectl says on stderr when a get finds
// nothing: "No resources found in default namespace." for one namespace,
// "No resources found" with -A or for a cluster-scoped kind (ns == "").
// There is no trailing newline.
func NoResourcesMessage(ns string, allNamespaces bool) string {
	if allNamespaces || ns == "" {
		return "No resources found"
	}
	return fmt.Sprintf("No resources found in %s namespace.", ns)
}
