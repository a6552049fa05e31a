package apiserver

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/rest"
	"pgregory.net/rapid"
)

// The field set algebra against a model: a set of path strings.
func TestFieldSetAgainstModel(t *testing.T) {
	elems := []string{"f:a", "f:b", `k:{"name":"x"}`, `v:"s"`, "f:c"}
	genPath := rapid.Custom(func(t *rapid.T) []string {
		return rapid.SliceOfN(rapid.SampledFrom(elems), 1, 3).Draw(t, "path")
	})
	genSet := func(t *rapid.T, label string) (*fieldSet, map[string]bool) {
		s, m := newFieldSet(), map[string]bool{}
		for _, p := range rapid.SliceOfN(genPath, 0, 6).Draw(t, label) {
			s.insert(p)
			m[strings.Join(p, "|")] = true
		}
		return s, m
	}
	model := func(s *fieldSet) map[string]bool {
		m := map[string]bool{}
		for _, p := range s.paths() {
			m[strings.Join(p, "|")] = true
		}
		return m
	}
	rapid.Check(t, func(t *rapid.T) {
		a, ma := genSet(t, "a")
		b, mb := genSet(t, "b")
		union, diff, inter := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for k := range ma {
			union[k] = true
			if mb[k] {
				inter[k] = true
			} else {
				diff[k] = true
			}
		}
		for k := range mb {
			union[k] = true
		}
		if d := cmp.Diff(ma, model(a)); d != "" {
			t.Fatalf("paths (-want +got):\n%s", d)
		}
		if d := cmp.Diff(union, model(a.union(b))); d != "" {
			t.Fatalf("union (-want +got):\n%s", d)
		}
		if d := cmp.Diff(diff, model(a.difference(b))); d != "" {
			t.Fatalf("difference (-want +got):\n%s", d)
		}
		if d := cmp.Diff(inter, model(a.intersection(b))); d != "" {
			t.Fatalf("intersection (-want +got):\n%s", d)
		}
		if a.empty() != (len(ma) == 0) {
			t.Fatalf("empty = %v for %v", a.empty(), ma)
		}
		if a.equal(b) != cmp.Equal(ma, mb) {
			t.Fatalf("equal = %v for %v and %v", a.equal(b), ma, mb)
		}
		back, err := parseFieldsV1(a.fieldsV1())
		if err != nil {
			t.Fatalf("parse %s: %v", a.fieldsV1(), err)
		}
		if !back.equal(a) {
			t.Fatalf("%s does not parse back to the same set", a.fieldsV1())
		}
	})
}

// labelOwners reads, from a ConfigMap's managedFields, which managers own
// which label.
func labelOwners(t *rapid.T, f *fixture) (map[string]string, map[string][]string) {
	cm, err := configMaps(f).Get(f.ctx, "default", "conf")
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	owners := map[string][]string{}
	for _, e := range cm.ManagedFields {
		set, err := parseFieldsV1(e.FieldsV1)
		if err != nil {
			t.Fatalf("managedFields of %s: %v", e.Manager, err)
		}
		labels := set.children["f:metadata"]
		if labels != nil {
			labels = labels.children["f:labels"]
		}
		if labels == nil {
			continue
		}
		for pe, c := range labels.children {
			if c.member {
				k := strings.TrimPrefix(pe, "f:")
				owners[k] = append(owners[k], e.Manager)
			}
		}
	}
	for _, m := range owners {
		sort.Strings(m)
	}
	labels := cm.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return labels, owners
}

// Applies and updates of labels by several managers, against a model of
// who owns what: an apply that would change a label another manager owns
// conflicts (unless forced); an applier that stops applying a label
// removes it when nobody else owns it; an update takes what it changes.
func TestApplyOwnershipAgainstModel(t *testing.T) {
	keys := []string{"a", "b", "c"}
	values := []string{"1", "2"}
	appliers := []string{"alice", "bob"}
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		if resp := f.do(http.MethodPost, "/api/v1/namespaces/default/configmaps", rest.ContentJSON, `{"metadata":{"name":"conf"}}`, "fieldManager", "creator"); resp.Code != http.StatusCreated {
			rt.Fatalf("create: %d %s", resp.Code, resp.Body)
		}
		labels := map[string]string{}
		owners := map[string]map[string]bool{}
		applied := map[string]map[string]bool{}
		own := func(k string) map[string]bool {
			if owners[k] == nil {
				owners[k] = map[string]bool{}
			}
			return owners[k]
		}
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			if rapid.Bool().Draw(rt, "apply") {
				m := rapid.SampledFrom(appliers).Draw(rt, "manager")
				force := rapid.Bool().Draw(rt, "force")
				cfg := map[string]string{}
				for _, k := range keys {
					if rapid.Bool().Draw(rt, "has "+k) {
						cfg[k] = rapid.SampledFrom(values).Draw(rt, "value "+k)
					}
				}
				conflict := false
				for k, v := range cfg {
					cur, has := labels[k]
					if !has || cur == v {
						continue
					}
					for o := range owners[k] {
						if o != m {
							conflict = true
						}
					}
				}
				body, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "conf", "labels": cfg}})
				q := []string{"fieldManager", m}
				if force {
					q = append(q, "force", "true")
				}
				resp := f.apply(cmPath, string(body), q...)
				if conflict && !force {
					if resp.Code != http.StatusConflict {
						rt.Fatalf("apply %v by %s: %d %s, want a conflict", cfg, m, resp.Code, resp.Body)
					}
					continue
				}
				if resp.Code != http.StatusOK {
					rt.Fatalf("apply %v by %s: %d %s", cfg, m, resp.Code, resp.Body)
				}
				for k := range applied[m] {
					if _, still := cfg[k]; still {
						continue
					}
					delete(own(k), m)
					if len(owners[k]) == 0 {
						delete(labels, k)
					}
				}
				applied[m] = map[string]bool{}
				for k, v := range cfg {
					if cur, has := labels[k]; !has || cur != v {
						owners[k] = map[string]bool{}
					}
					own(k)[m] = true
					labels[k] = v
					applied[m][k] = true
				}
				continue
			}
			// An update by the editor: set or remove one label.
			k := rapid.SampledFrom(keys).Draw(rt, "key")
			var v any
			if rapid.Bool().Draw(rt, "set") {
				v = rapid.SampledFrom(values).Draw(rt, "value")
			}
			body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"labels": map[string]any{k: v}}})
			if resp := f.do(http.MethodPatch, cmPath, rest.ContentMergePatch, string(body), "fieldManager", "editor"); resp.Code != http.StatusOK {
				rt.Fatalf("update: %d %s", resp.Code, resp.Body)
			}
			cur, has := labels[k]
			switch {
			case v == nil && has:
				delete(labels, k)
				delete(owners, k)
			case v != nil && (!has || cur != v):
				labels[k] = v.(string)
				owners[k] = map[string]bool{"editor": true}
			}
		}
		gotLabels, gotOwners := labelOwners(rt, f)
		wantOwners := map[string][]string{}
		for k, ms := range owners {
			for m := range ms {
				wantOwners[k] = append(wantOwners[k], m)
			}
			sort.Strings(wantOwners[k])
			if len(wantOwners[k]) == 0 {
				delete(wantOwners, k)
			}
		}
		if d := cmp.Diff(labels, gotLabels); d != "" {
			rt.Fatalf("labels (-model +server):\n%s", d)
		}
		if d := cmp.Diff(wantOwners, gotOwners); d != "" {
			rt.Fatalf("owners (-model +server):\n%s", d)
		}
	})
}
