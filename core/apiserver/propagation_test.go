package apiserver

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// TestDeletePropagationPolicy: Orphan and Foreground deletes mark the
// object and add their finalizer, for the garbage collector to act on;
// Background (the default) deletes at once.
func TestDeletePropagationPolicy(t *testing.T) {
	for _, tc := range []struct {
		name        string
		body        string   // DeleteOptions
		query       []string // query parameters
		wantFin     []string // nil: the object is gone
		wantCode    int
		initialFins []string
	}{
		{name: "default", wantCode: 200},
		{name: "background body", body: `{"propagationPolicy":"Background"}`, wantCode: 200},
		{name: "orphan body", body: `{"propagationPolicy":"Orphan"}`, wantCode: 200, wantFin: []string{"orphan"}},
		{name: "foreground body", body: `{"propagationPolicy":"Foreground"}`, wantCode: 200, wantFin: []string{"foregroundDeletion"}},
		{name: "orphan query", query: []string{"propagationPolicy", "Orphan"}, wantCode: 200, wantFin: []string{"orphan"}},
		{name: "foreground query", query: []string{"propagationPolicy", "Foreground"}, wantCode: 200, wantFin: []string{"foregroundDeletion"}},
		{name: "orphanDependents true", body: `{"orphanDependents":true}`, wantCode: 200, wantFin: []string{"orphan"}},
		{name: "orphanDependents false", query: []string{"orphanDependents", "false"}, wantCode: 200},
		{name: "keeps other finalizers", body: `{"propagationPolicy":"Foreground"}`, initialFins: []string{"example.com/hold"}, wantCode: 200, wantFin: []string{"example.com/hold", "foregroundDeletion"}},
		{name: "replaces the other policy", body: `{"propagationPolicy":"Orphan"}`, initialFins: []string{"foregroundDeletion"}, wantCode: 200, wantFin: []string{"orphan"}},
		{name: "unknown policy", body: `{"propagationPolicy":"Sideways"}`, wantCode: 400},
		{name: "both forms", body: `{"propagationPolicy":"Orphan","orphanDependents":true}`, wantCode: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "cfg", Namespace: "default", Finalizers: tc.initialFins}}
			if _, err := configMaps(f).Create(f.ctx, cm, client.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			resp := f.do(http.MethodDelete, "/api/v1/namespaces/default/configmaps/cfg", "application/json", tc.body, tc.query...)
			if resp.Code != tc.wantCode {
				t.Fatalf("DELETE = %d %s, want %d", resp.Code, resp.Body, tc.wantCode)
			}
			got, err := configMaps(f).Get(f.ctx, "default", "cfg")
			if tc.wantCode != 200 {
				if err != nil || got.DeletionTimestamp != nil {
					t.Errorf("after a refused delete: Get = %v, %v; want the object unmarked", got, err)
				}
				return
			}
			if tc.wantFin == nil {
				if !api.IsNotFound(err) {
					t.Errorf("Get after delete: err = %v, want NotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get after delete: %v", err)
			}
			if got.DeletionTimestamp == nil {
				t.Errorf("deletionTimestamp = nil, want set")
			}
			if !slices.Equal(got.Finalizers, tc.wantFin) {
				t.Errorf("finalizers = %q, want %q", got.Finalizers, tc.wantFin)
			}
			var answered api.ConfigMap
			if err := json.Unmarshal(resp.Body, &answered); err != nil || !slices.Equal(answered.Finalizers, tc.wantFin) {
				t.Errorf("DELETE answered finalizers %q (%v), want %q", answered.Finalizers, err, tc.wantFin)
			}
		})
	}
}
