package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const good = `
name: node-crash
duration: 2m
cluster:
  nodes: 3
  capacity: {cpu: "4", memory: 8Gi, pods: "20"}
objects:
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: web}
  spec:
    replicas: 3
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec: {containers: [{name: c, image: busybox}]}
faults:
- {at: 30s, action: crash-node, node: node-2}
- {at: 40s, action: partition-node, node: node-1, for: 5s}
liveness: {within: 30s}
`

func TestParseGood(t *testing.T) {
	s, err := Parse([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if s.Cluster.Nodes != 3 || len(s.Objects) != 1 || len(s.Faults) != 2 || s.Faults[1].For.Duration != 5*time.Second || s.Liveness.Within.Duration != 30*time.Second {
		t.Errorf("parsed %+v", s)
	}
}

func TestParseErrorsNameTheField(t *testing.T) {
	tests := []struct{ edit, want string }{
		{"action: crash-node", "action: crash-nodes"},
		{"node: node-2", "node: node-9"},
		{"duration: 2m", "duration: 2 minutes"},
		{"nodes: 3", "nodes: 0"},
		{"faults:", "fautls:"},
		{`cpu: "4"`, `cpu: "4x"`},
	}
	wants := []string{"faults[0].action", "faults[0].node", "invalid duration", "cluster.nodes", "unknown field", "cluster.capacity.cpu"}
	for i, tt := range tests {
		_, err := Parse([]byte(strings.Replace(good, tt.edit, tt.want, 1)))
		if err == nil || !strings.Contains(err.Error(), wants[i]) {
			t.Errorf("with %q: err = %v, want it to mention %q", tt.want, err, wants[i])
		}
	}
}

// Every count of a profile is bounded (a huge one would exhaust memory
// drawing faults), and the check names it.
func TestProfileCountsAreBounded(t *testing.T) {
	var p Profile
	listed := map[string]bool{}
	for _, c := range p.counts() {
		listed[c.name] = true
	}
	typ := reflect.TypeOf(p)
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type.Kind() == reflect.Int && !listed[name] {
			t.Errorf("Profile.%s (%s) is not in counts(), so its bound is not checked", f.Name, name)
		}
	}
	for _, n := range []string{"-1", "1001"} {
		_, err := Parse([]byte("name: x\nduration: 10s\ncluster: {nodes: 1}\nprofile: {window: 5s, cacheFreezes: " + n + "}\n"))
		if want := "profile.cacheFreezes: " + n + " is not between 0 and 1000"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("cacheFreezes %s: error %v, want %q", n, err, want)
		}
	}
}

// A load step without a service continues the previous step's; namespace
// defaults to "default"; bad steps are refused naming the field.
func TestLoadSteps(t *testing.T) {
	s, err := Parse([]byte(good + `load:
- {service: web, at: 30s, rps: 200}
- {at: 1m, rps: 0}
- {service: api, namespace: shop, port: http, at: 10s, rps: 5.5}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []LoadStep{
		{Service: "web", Namespace: "default", At: Duration{30 * time.Second}, RPS: 200},
		{Service: "web", Namespace: "default", At: Duration{time.Minute}, RPS: 0},
		{Service: "api", Namespace: "shop", Port: "http", At: Duration{10 * time.Second}, RPS: 5.5},
	}
	if !reflect.DeepEqual(s.Load, want) {
		t.Errorf("Load = %+v, want %+v", s.Load, want)
	}
	for _, tt := range []struct{ load, want string }{
		{"- {at: 1m, rps: 1}", "load[0].service: required"},
		{"- {service: web, at: 3m, rps: 1}", "load[0].at: 3m0s is after the end of the run (2m0s)"},
		{"- {service: web, at: 1m, rps: -1}", "load[0].rps: -1 is not between 0 and 1e+07"},
		{"- {service: web, at: 1m, rps: 1}\n- {port: http, at: 1m, rps: 1}", "load[1].service: required with namespace or port"},
	} {
		_, err := Parse([]byte(good + "load:\n" + tt.load + "\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("load %q: err = %v, want it to say %q", tt.load, err, tt.want)
		}
	}
}

// A scale story names a Node count or a Deployment, says a peak or an end
// (or both), and the Deployment's namespace defaults.
func TestScaleStories(t *testing.T) {
	const base = "name: x\nduration: 2m\ncluster: {nodes: 1}\n"
	s, err := Parse([]byte(base + "scaled:\n- {kind: Deployment, name: web, peak: 8, end: 1}\n- {kind: Node, peak: 3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Scaled[0].Namespace; got != "default" {
		t.Errorf("scaled[0].namespace = %q, want default", got)
	}
	for _, tt := range []struct{ scaled, want string }{
		{"- {kind: Pod, peak: 2}", `scaled[0].kind: "Pod" is not Node or Deployment`},
		{"- {kind: Deployment, peak: 2}", "scaled[0].name: required for kind Deployment"},
		{"- {kind: Node, name: web, peak: 2}", "scaled[0]: kind Node counts every node"},
		{"- {kind: Node}", "scaled[0]: says nothing"},
		{"- {kind: Node, end: -1}", "scaled[0]: peak and end are counts"},
	} {
		_, err := Parse([]byte(base + "scaled:\n" + tt.scaled + "\n"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("scaled %q: err = %v, want it to say %q", tt.scaled, err, tt.want)
		}
	}
}
