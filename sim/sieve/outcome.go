package sieve

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tinykube/tinykube/core/store"
)

// Outcome is a normalized view of the store, what two runs are compared
// on. Each key is "resource/namespace/name" ("resource/name" when cluster
// scoped) with a generated name's random suffix replaced by "*", so that
// pods web-7d4b9-x2k1 and web-7d4b9-q8zz both land under
// "pods/default/web-7d4b9-*"; the value holds each object there as
// indented JSON, sorted, so a key holds a multiset.
//
// Normalizing drops what differs between equally good runs:
//   - metadata.uid, generation and managedFields, and every
//     resourceVersion (the object's own, and those of references);
//   - every timestamp (a string that parses as RFC 3339 becomes "<time>",
//     so whether it is set still counts);
//   - status.observedGeneration becomes "current" or "behind" metadata.generation;
//   - uids, pod IPs and generated names wherever they appear as values
//     become stable forms ("uid:pods/default/web-7d4b9-*",
//     "ip:pods/default/web-0", "web-7d4b9-*");
//   - the order of every list (lists are sorted by their JSON);
//   - a service's cluster IPs and node ports (the API server draws them);
//   - the names of anonymous resources (Case.Anonymous).
type Outcome map[string][]string

// Count returns how many objects the outcome holds under keys beginning
// with prefix ("pods/default/web-").
func (o Outcome) Count(prefix string) int {
	n := 0
	for k, v := range o {
		if strings.HasPrefix(k, prefix) {
			n += len(v)
		}
	}
	return n
}

// Find returns the objects under keys beginning with prefix whose JSON
// contains every one of the fragments (`"phase": "Running"`).
func (o Outcome) Find(prefix string, fragments ...string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(o)) {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
	objects:
		for _, obj := range o[k] {
			for _, f := range fragments {
				if !strings.Contains(obj, f) {
					continue objects
				}
			}
			out = append(out, obj)
		}
	}
	return out
}

type rawObject struct {
	key string // before renaming: resource/ns/name
	res string
	m   map[string]any
}

// readOutcome reads every object of the store except those of the ignored
// resources and normalizes them.
func readOutcome(st *store.Memory, ignore, anonymous, relabel []string) (Outcome, error) {
	l, err := st.List(context.Background(), "/registry/", store.ListOptions{})
	if err != nil {
		return nil, err
	}
	var objs []rawObject
	for _, kv := range l.KVs {
		path := strings.TrimPrefix(kv.Key, "/registry/")
		res, _, _ := strings.Cut(path, "/")
		if slices.Contains(ignore, res) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(kv.Value, &m); err != nil {
			return nil, fmt.Errorf("%s: %v", kv.Key, err)
		}
		objs = append(objs, rawObject{key: path, res: res, m: m})
	}

	// Stable forms of generated names, uids and pod IPs.
	names := map[string]string{} // generated name -> "gen-*"
	exact := map[string]string{} // uid or IP -> stable form
	stableKeys := make([]string, len(objs))
	for i, o := range objs {
		meta, _ := o.m["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		gen, _ := meta["generateName"].(string)
		stable := name
		if gen != "" && strings.HasPrefix(name, gen) && len(name) > len(gen) {
			stable = gen + "*"
			names[name] = stable
		}
		if slices.Contains(anonymous, o.res) {
			stable = "<" + controllerOf(meta) + ">"
			if name != "" {
				names[name] = stable
			}
			delete(meta, "name")
			delete(meta, "generateName")
		}
		key := o.res + "/" + stable
		if ns, _ := meta["namespace"].(string); ns != "" {
			key = o.res + "/" + ns + "/" + stable
		}
		stableKeys[i] = key
		if uid, _ := meta["uid"].(string); uid != "" {
			exact[uid] = "uid:" + key
		}
		if o.res == "pods" {
			status, _ := o.m["status"].(map[string]any)
			if ip, _ := status["podIP"].(string); ip != "" {
				exact[ip] = "ip:" + key
			}
		}
	}
	// Longest first, so that no name is replaced inside a longer one.
	generated := slices.SortedFunc(maps.Keys(names), func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})

	n := &normalizer{exact: exact, names: names, generated: generated}
	out := Outcome{}
	for i, o := range objs {
		meta, _ := o.m["metadata"].(map[string]any)
		gen, _ := meta["generation"].(float64)
		if status, ok := o.m["status"].(map[string]any); ok {
			if og, ok := status["observedGeneration"].(float64); ok {
				status["observedGeneration"] = map[bool]string{true: "current", false: "behind"}[og == gen]
			}
		}
		for _, k := range []string{"uid", "resourceVersion", "generation", "managedFields"} {
			delete(meta, k)
		}
		if o.res == "services" {
			allocated(o.m)
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(n.value(o.m)); err != nil {
			return nil, err
		}
		out[stableKeys[i]] = append(out[stableKeys[i]], strings.TrimSuffix(b.String(), "\n"))
	}
	for _, v := range out {
		sort.Strings(v)
	}
	if len(relabel) > 0 {
		out = relabelled(out, relabel)
	}
	return out, nil
}

// relabelled replaces the values of the named fields with labels in the
// order they first appear ("<ip 1>", "<ip 2>", …), keys in order: which
// value an object got no longer counts, but which objects share one still
// does.
func relabelled(o Outcome, fields []string) Outcome {
	labels := map[string]string{}
	next := map[string]int{}
	out := Outcome{}
	for _, k := range slices.Sorted(maps.Keys(o)) {
		for _, obj := range o[k] {
			for _, f := range fields {
				re := regexp.MustCompile(`"` + regexp.QuoteMeta(f) + `": "([^"]*)"`)
				obj = re.ReplaceAllStringFunc(obj, func(m string) string {
					v := re.FindStringSubmatch(m)[1]
					l, ok := labels[f+"\x00"+v]
					if !ok {
						next[f]++
						l = fmt.Sprintf("<%s %d>", f, next[f])
						labels[f+"\x00"+v] = l
					}
					return fmt.Sprintf("%q: %q", f, l)
				})
			}
			out[k] = append(out[k], obj)
		}
		sort.Strings(out[k])
	}
	return out
}

// allocated blurs what the API server draws at random for a service
// (cluster IPs, node ports): a run that creates more objects draws
// differently, and no controller under test chooses them.
func allocated(svc map[string]any) {
	spec, _ := svc["spec"].(map[string]any)
	for _, k := range []string{"clusterIP", "clusterIPs"} {
		if v, ok := spec[k]; ok && v != "None" {
			spec[k] = "<allocated>"
		}
	}
	ports, _ := spec["ports"].([]any)
	for _, p := range ports {
		if port, _ := p.(map[string]any); port != nil && port["nodePort"] != nil {
			port["nodePort"] = "<allocated>"
		}
	}
}

// controllerOf names the controller of an object from its ownerReferences,
// "ReplicaSet/web", or "no controller".
func controllerOf(meta map[string]any) string {
	refs, _ := meta["ownerReferences"].([]any)
	for _, r := range refs {
		ref, _ := r.(map[string]any)
		if c, _ := ref["controller"].(bool); c {
			return fmt.Sprintf("%v/%v", ref["kind"], ref["name"])
		}
	}
	return "no controller"
}

type normalizer struct {
	exact     map[string]string
	names     map[string]string
	generated []string // keys of names, longest first
}

func (n *normalizer) value(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "resourceVersion") // of the object, or of one it refers to
		for k, x := range v {
			v[k] = n.value(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = n.value(x)
		}
		sort.Slice(v, func(i, j int) bool { return jsonOf(v[i]) < jsonOf(v[j]) })
		return v
	case string:
		return n.str(v)
	}
	return v
}

func (n *normalizer) str(s string) string {
	if r, ok := n.exact[s]; ok {
		return r
	}
	if len(s) >= 20 && s[4] == '-' && s[10] == 'T' {
		if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return "<time>"
		}
	}
	for _, g := range n.generated {
		if strings.Contains(s, g) {
			s = strings.ReplaceAll(s, g, n.names[g])
		}
	}
	return s
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Diff describes how b differs from a, key by key: for a key whose
// objects differ, the objects only a has are paired with those only b has
// and shown as a line diff ("-" a's lines, "+" b's); the unpaired rest are
// shown whole. Empty when they are equal.
func Diff(a, b Outcome) string {
	var out strings.Builder
	all := map[string]bool{}
	for k := range a {
		all[k] = true
	}
	for k := range b {
		all[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(all)) {
		onlyA, onlyB := without(a[k], b[k]), without(b[k], a[k])
		if len(onlyA) == 0 && len(onlyB) == 0 {
			continue
		}
		fmt.Fprintf(&out, "%s: %d object(s) unperturbed, %d perturbed\n", k, len(a[k]), len(b[k]))
		for len(onlyA) > 0 && len(onlyB) > 0 {
			fmt.Fprintf(&out, "  changed:\n%s", indent(cmp.Diff(onlyA[0], onlyB[0]), "    "))
			onlyA, onlyB = onlyA[1:], onlyB[1:]
		}
		for _, o := range onlyA {
			fmt.Fprintf(&out, "  only unperturbed:\n%s\n", indent(o, "    - "))
		}
		for _, o := range onlyB {
			fmt.Fprintf(&out, "  only perturbed:\n%s\n", indent(o, "    + "))
		}
	}
	return out.String()
}

// without returns the elements of a (sorted) that b lacks, as multisets.
func without(a, b []string) []string {
	left := map[string]int{}
	for _, x := range b {
		left[x]++
	}
	var out []string
	for _, x := range a {
		if left[x] > 0 {
			left[x]--
			continue
		}
		out = append(out, x)
	}
	return out
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
