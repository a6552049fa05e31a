package scenario

import (
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
