package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/printers"
	"github.com/tinykube/tinykube/core/rest"
)

// tableAccept asks the API server for a Table, as kubectl get does: the
// columns are the server's, so tinykube and kubectl show the same ones.
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

// fetchTable gets the table of one kind from the server: the named objects
// (one request each, rows in the order asked) or the list of them all.
// Errors for single names are returned beside the rows that were found.
func fetchTable(ctx context.Context, cl *client.Client, rq request, ns string, opts client.ListOptions) (printers.Table, []error) {
	kind := printers.QualifiedKind(rq.res)
	if len(rq.names) == 0 {
		q := url.Values{}
		if opts.LabelSelector != "" {
			q.Set("labelSelector", opts.LabelSelector)
		}
		if opts.FieldSelector != "" {
			q.Set("fieldSelector", opts.FieldSelector)
		}
		t, err := getTable(ctx, cl, client.Path(rq.res, ns, "", ""), q, kind)
		if err != nil {
			return printers.Table{Kind: kind}, []error{err}
		}
		return t, nil
	}
	out := printers.Table{Kind: kind}
	var errs []error
	for _, n := range rq.names {
		t, err := getTable(ctx, cl, client.Path(rq.res, ns, n, ""), nil, kind)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out.Columns = t.Columns
		out.Rows = append(out.Rows, t.Rows...)
	}
	return out, errs
}

// getTable sends one GET asking for a Table and decodes the answer.
func getTable(ctx context.Context, cl *client.Client, path string, q url.Values, kind string) (printers.Table, error) {
	resp, err := cl.Do(ctx, &rest.Request{Method: http.MethodGet, Path: path, Query: q, Accept: tableAccept})
	if err != nil {
		return printers.Table{}, err
	}
	var st api.Table
	if err := json.Unmarshal(resp.Body, &st); err != nil || st.Kind != "Table" {
		return printers.Table{}, fmt.Errorf("the server did not answer %s with a Table (Content-Type %q)", path, resp.ContentType)
	}
	return printers.FromServerTable(st, kind)
}
