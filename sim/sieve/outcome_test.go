package sieve

import (
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/store"
)

// storeWith returns a store holding the given objects (JSON) at their keys.
func storeWith(t *testing.T, objs map[string]string) *store.Memory {
	t.Helper()
	st := store.NewMemory()
	for k, v := range objs {
		if _, err := st.Create(context.Background(), "/registry/"+k, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// TestOutcomeNormalizes: two stores that differ only in what equally good
// runs may differ in read the same; a real difference does not.
func TestOutcomeNormalizes(t *testing.T) {
	const rs = `{"metadata":{"name":"web","namespace":"default","uid":"U%s","resourceVersion":"%s","generation":2},"status":{"observedGeneration":2}}`
	const pod = `{"metadata":{"name":"web-%s","generateName":"web-","namespace":"default","uid":"P%s","creationTimestamp":"2030-01-01T00:00:0%sZ",` +
		`"ownerReferences":[{"kind":"ReplicaSet","name":"web","uid":"U%s","controller":true}]},"status":{"phase":"Running","podIP":"10.0.0.%s"}}`
	const eps = `{"metadata":{"name":"web","namespace":"default"},"subsets":[{"addresses":[{"ip":"10.0.0.%s","targetRef":{"name":"web-%s","uid":"P%s"}},{"ip":"10.0.0.%s","targetRef":{"name":"web-%s","uid":"P%s"}}]}]}`
	f := func(s string, args ...string) string {
		for _, a := range args {
			s = strings.Replace(s, "%s", a, 1)
		}
		return s
	}
	a := storeWith(t, map[string]string{
		"replicasets/default/web": f(rs, "1", "10"),
		"pods/default/web-aaaaa":  f(pod, "aaaaa", "1", "1", "1", "1"),
		"pods/default/web-bbbbb":  f(pod, "bbbbb", "2", "2", "1", "2"),
		"endpoints/default/web":   f(eps, "1", "aaaaa", "1", "2", "bbbbb", "2"),
		"events/default/x":        `{"metadata":{"name":"x","namespace":"default"}}`,
	})
	b := storeWith(t, map[string]string{
		"replicasets/default/web": f(rs, "7", "99"),
		"pods/default/web-zzzzz":  f(pod, "zzzzz", "8", "5", "7", "9"),
		"pods/default/web-yyyyy":  f(pod, "yyyyy", "9", "6", "7", "3"),
		"endpoints/default/web":   f(eps, "3", "yyyyy", "9", "9", "zzzzz", "8"),
	})
	read := func(st *store.Memory, anonymous []string) Outcome {
		o, err := readOutcome(st, DefaultIgnore, anonymous, nil)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, anon := range [][]string{nil, {"pods"}} {
		if d := Diff(read(a, anon), read(b, anon)); d != "" {
			t.Errorf("anonymous %v: equally good stores differ:\n%s", anon, d)
		}
	}
	o := read(a, nil)
	if got := o.Count("pods/default/web-*"); got != 2 {
		t.Errorf("pods under web-*: %d, want 2 (keys %v)", got, o)
	}
	if len(o.Find("endpoints/default/web", `"ip": "ip:pods/default/web-*"`, `"uid": "uid:pods/default/web-*"`)) != 1 {
		t.Errorf("endpoints do not refer to pods by stable forms:\n%s", o["endpoints/default/web"])
	}
	if len(o.Find("replicasets/default/web", `"observedGeneration": "current"`)) != 1 {
		t.Errorf("observedGeneration not judged against generation:\n%s", o["replicasets/default/web"])
	}

	// One more pod, and one not running: as multisets, the two running
	// ones match, and the pending one is the difference.
	c := storeWith(t, map[string]string{
		"replicasets/default/web": f(rs, "1", "10"),
		"pods/default/web-aaaaa":  f(pod, "aaaaa", "1", "1", "1", "1"),
		"pods/default/web-bbbbb":  strings.Replace(f(pod, "bbbbb", "2", "2", "1", "2"), "Running", "Pending", 1),
		"pods/default/web-ccccc":  f(pod, "ccccc", "3", "3", "1", "3"),
		"endpoints/default/web":   f(eps, "1", "aaaaa", "1", "2", "bbbbb", "2"),
	})
	d := Diff(read(a, []string{"pods"}), read(c, []string{"pods"}))
	for _, want := range []string{"pods/default/<ReplicaSet/web>: 2 object(s) unperturbed, 3 perturbed", `+     "phase": "Pending"`, "only perturbed:"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

// TestRelabel: relabelled values compare by which objects share them.
func TestRelabel(t *testing.T) {
	o := Outcome{"s/a": {`{"ip": "192.0.2.7"}`}, "s/b": {`{"ip": "192.0.2.1"}`}, "s/c": {`{"ip": "192.0.2.7"}`}}
	got := relabelled(o, []string{"ip"})
	want := Outcome{"s/a": {`{"ip": "<ip 1>"}`}, "s/b": {`{"ip": "<ip 2>"}`}, "s/c": {`{"ip": "<ip 1>"}`}}
	if d := Diff(want, got); d != "" {
		t.Errorf("relabelled:\n%s", d)
	}
}

// TestPerturbedRunsAreDeterministic: the same perturbation twice gives the
// same trace, so a finding replays.
func TestPerturbedRunsAreDeterministic(t *testing.T) {
	t.Parallel()
	c := replicaSetCase().withDefaults()
	for _, p := range []Perturbation{{Kind: CrashAfter, Call: 11}, {Kind: Late, Resource: "pods"}, {Kind: StaleRestart, Call: 11}} {
		var hashes [2]uint64
		for i := range hashes {
			r, err := newRun(c, p)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.execute(); err != nil {
				t.Fatal(err)
			}
			hashes[i] = r.w.Trace.Hash()
			if p.Kind != Late && r.ctrl.Crashes() == 0 {
				t.Errorf("%v: the controller never crashed", p)
			}
		}
		if hashes[0] != hashes[1] {
			t.Errorf("%v: two runs, two traces (%x, %x)", p, hashes[0], hashes[1])
		}
	}
}
