package httpapi

// Discovery and Tables as the real Kubernetes client reads them: client-go's
// discovery client (aggregated and legacy) and apimachinery's Table type.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
)

// discoverySummary flattens what client-go learned into lines such as
// "apps/v1 deployments Deployment ns=true short=deploy cat=all verbs=…".
func discoverySummary(t *testing.T, groups []*metav1.APIGroup, lists []*metav1.APIResourceList) []string {
	t.Helper()
	var out []string
	for _, g := range groups {
		out = append(out, "group "+g.Name+" preferred "+g.PreferredVersion.GroupVersion)
	}
	for _, l := range lists {
		for _, r := range l.APIResources {
			singular := r.SingularName
			if strings.Contains(r.Name, "/") {
				// client-go fills a subresource's singular name from its
				// resource's when it reads the aggregated document.
				singular = "-"
			}
			line := l.GroupVersion + " " + r.Name + " " + r.Kind + " singular=" + singular +
				" short=" + strings.Join(r.ShortNames, ",") + " cat=" + strings.Join(r.Categories, ",") +
				" verbs=" + strings.Join(r.Verbs, ",")
			if r.Namespaced {
				line += " namespaced"
			}
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out
}

func TestClientGoDiscovery(t *testing.T) {
	_, hs, _ := serve(t)
	var summaries [][]string
	for _, legacy := range []bool{false, true} {
		dc, err := discovery.NewDiscoveryClientForConfig(&rest.Config{Host: hs.URL})
		if err != nil {
			t.Fatal(err)
		}
		dc.UseLegacyDiscovery = legacy
		groups, lists, err := dc.ServerGroupsAndResources()
		if err != nil {
			t.Fatalf("ServerGroupsAndResources (legacy=%t): %v", legacy, err)
		}
		summaries = append(summaries, discoverySummary(t, groups, lists))
	}
	// The aggregated and the legacy documents say the same thing.
	if diff := cmp.Diff(summaries[1], summaries[0]); diff != "" {
		t.Errorf("aggregated discovery differs from legacy (-legacy +aggregated):\n%s", diff)
	}
	got := summaries[0]
	const rw = "verbs=create,delete,get,list,patch,update,watch"
	for _, want := range []string{
		"group  preferred v1",
		"group apps preferred apps/v1",
		"v1 pods Pod singular=pod short=po cat=all " + rw + " namespaced",
		"v1 pods/status Pod singular=- short= cat= verbs=get,patch,update namespaced",
		"v1 pods/log Pod singular=- short= cat= verbs=get namespaced",
		"v1 pods/exec PodExecOptions singular=- short= cat= verbs=create,get namespaced",
		"v1 pods/binding Binding singular=- short= cat= verbs=create namespaced",
		"v1 nodes Node singular=node short=no cat= " + rw,
		"v1 configmaps ConfigMap singular=configmap short=cm cat= " + rw + " namespaced",
		"apps/v1 deployments Deployment singular=deployment short=deploy cat=all " + rw + " namespaced",
		"batch/v1 cronjobs CronJob singular=cronjob short=cj cat=all " + rw + " namespaced",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("client-go discovery lacks %q; it found:\n%s", want, strings.Join(got, "\n"))
		}
	}
	// Every kind the API serves is discovered, and "all" holds the
	// workloads and services, as in Kubernetes.
	var all []string
	for _, l := range got {
		if strings.Contains(l, " cat=all ") {
			all = append(all, strings.Fields(l)[1])
		}
	}
	wantAll := []string{"cronjobs", "daemonsets", "deployments", "jobs", "pods", "replicasets", "services", "statefulsets"}
	sort.Strings(all)
	if diff := cmp.Diff(wantAll, all); diff != "" {
		t.Errorf("category all (-want +got):\n%s", diff)
	}
	for _, r := range api.Resources() {
		if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, r.APIVersion()+" "+r.Plural+" ") }) {
			t.Errorf("client-go does not discover %s", r.GroupResource())
		}
	}
}

// TestClientGoAggregatedContentType checks the answer client-go recognises
// as aggregated: without this exact media type it silently falls back to
// one request per group version.
func TestClientGoAggregatedContentType(t *testing.T) {
	_, hs, _ := serve(t)
	for _, path := range []string{"/api", "/apis"} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+path, nil)
		req.Header.Set("Accept", discovery.AcceptV2+","+discovery.AcceptV1)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Type"); got != discovery.AcceptV2 {
			t.Errorf("GET %s: Content-Type %q, want %q", path, got, discovery.AcceptV2)
		}
	}
}

// strictTable decodes b into apimachinery's Table, refusing unknown fields,
// so that a field name tinykube got wrong fails here.
func strictTable(t *testing.T, b []byte) metav1.Table {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var tb metav1.Table
	if err := dec.Decode(&tb); err != nil {
		t.Fatalf("not a meta.k8s.io Table: %v\n%s", err, b)
	}
	return tb
}

func TestTablesDecodeAsApimachinery(t *testing.T) {
	c, hs, _ := serve(t)
	ctx := context.Background()
	if _, err := client.For[*api.ConfigMap](c).Create(ctx, cm("a"), client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	get := func(query string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+"/api/v1/namespaces/default/configmaps"+query, nil)
		req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("")
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	resp.Body.Close()
	tb := strictTable(t, buf.Bytes())
	var cols []string
	for _, c := range tb.ColumnDefinitions {
		cols = append(cols, c.Name+"/"+c.Format)
	}
	if diff := cmp.Diff([]string{"NAME/name", "DATA/", "AGE/"}, cols); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	if len(tb.Rows) != 1 || tb.Rows[0].Cells[0] != "a" || tb.Rows[0].Cells[1] != "1" {
		t.Fatalf("rows = %+v, want one row a, 1", tb.Rows)
	}
	var partial metav1.PartialObjectMetadata
	if err := json.Unmarshal(tb.Rows[0].Object.Raw, &partial); err != nil || partial.Name != "a" || partial.Kind != "PartialObjectMetadata" {
		t.Errorf("row object = %s (%v), want the PartialObjectMetadata of a", tb.Rows[0].Object.Raw, err)
	}

	// A watch sends one Table per event, as metav1.WatchEvent frames.
	w := get("?watch=true&timeoutSeconds=1")
	defer w.Body.Close()
	sc := bufio.NewScanner(w.Body)
	if !sc.Scan() {
		t.Fatalf("the watch sent nothing: %v", sc.Err())
	}
	var ev metav1.WatchEvent
	if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
		t.Fatal(err)
	}
	if et := strictTable(t, ev.Object.Raw); ev.Type != "ADDED" || len(et.Rows) != 1 || et.Rows[0].Cells[0] != "a" {
		t.Errorf("first watch event = %s %+v, want ADDED with one row for a", ev.Type, et.Rows)
	}
}
