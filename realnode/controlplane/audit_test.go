package controlplane

import (
	"bufio"
	"context"
	"encoding/json"
	gocmp "github.com/google/go-cmp/cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	coreaudit "github.com/tinykube/tinykube/core/audit"
)

const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: None
  verbs: [get, list, watch]
- level: RequestResponse
  resources:
  - group: ""
    resources: [configmaps]
- level: None
`

// readAudit returns the events of the audit log at path.
func readAudit(t *testing.T, path string) []coreaudit.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []coreaudit.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var ev coreaudit.Event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("audit log line %q: %v", sc.Text(), err)
		}
		out = append(out, ev)
	}
	return out
}

// TestAuditLogWithKubectl starts a server with --audit-log-path and a
// policy, changes a ConfigMap with the real kubectl, and reads who did
// what in the log.
func TestAuditLogWithKubectl(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd")
	}
	bin := requireKubectl(t)
	dir := t.TempDir()
	cfg := serverConfig(t, "audit", filepath.Join(dir, "data"))
	cfg.NoControllers = true
	cfg.Audit = AuditConfig{LogPath: filepath.Join(dir, "log", "audit.log"), PolicyFile: filepath.Join(dir, "policy.yaml"), MaxSizeMB: 100}
	if err := os.WriteFile(cfg.Audit.PolicyFile, []byte(auditPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	var serverLog strings.Builder
	cfg.Log = &serverLog
	s := start(t, cfg)
	k := kubectlRunner{t: t, bin: bin, kubeconfig: s.Kubeconfig}
	k.must("", "create", "configmap", "cfg", "--from-literal=a=1")
	k.must("", "patch", "configmap", "cfg", "--type=merge", "-p", `{"data":{"a":"2"}}`)
	k.must("", "get", "configmap", "cfg")
	if out, err := k.run("", "delete", "configmap", "cfg", "--as=mallory"); err == nil || !strings.Contains(out, "forbidden") {
		t.Errorf("kubectl delete --as=mallory = %v\n%s\nwant forbidden", err, out)
	}
	k.must("", "delete", "configmap", "cfg")
	s.Close() // writes what is queued
	if !strings.Contains(serverLog.String(), "audit log: "+cfg.Audit.LogPath+", by policy "+cfg.Audit.PolicyFile) {
		t.Errorf("server log = %q, want it to say where the audit log goes", serverLog.String())
	}

	type row struct {
		User, Impersonated, Verb, Resource, Namespace, Name string
		Code                                                int
		Decision                                            string
		Stage                                               coreaudit.Stage
		HasBodies                                           bool
	}
	var got []row
	for _, ev := range readAudit(t, cfg.Audit.LogPath) {
		r := row{User: ev.User.Username, Verb: ev.Verb, Decision: ev.Annotations["authorization.k8s.io/decision"], Stage: ev.Stage,
			HasBodies: len(ev.RequestObject) > 0 && len(ev.ResponseObject) > 0}
		if ev.ImpersonatedUser != nil {
			r.Impersonated = ev.ImpersonatedUser.Username
		}
		if ev.ObjectRef != nil {
			r.Resource, r.Namespace, r.Name = ev.ObjectRef.Resource, ev.ObjectRef.Namespace, ev.ObjectRef.Name
		}
		if ev.ResponseStatus != nil {
			r.Code = ev.ResponseStatus.Code
		}
		got = append(got, r)
	}
	done := coreaudit.StageResponseComplete
	want := []row{
		{"kubernetes-admin", "", "create", "configmaps", "default", "cfg", 201, "allow", done, true},
		{"kubernetes-admin", "", "patch", "configmaps", "default", "cfg", 200, "allow", done, true},
		{"kubernetes-admin", "mallory", "delete", "configmaps", "default", "cfg", 403, "forbid", done, true},
		{"kubernetes-admin", "", "delete", "configmaps", "default", "cfg", 200, "allow", done, true},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
}

func TestAuditBadPolicyFailsStart(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	os.WriteFile(policy, []byte("apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n"), 0o600)
	cfg := serverConfig(t, "bad", filepath.Join(dir, "data"))
	cfg.Audit = AuditConfig{LogPath: filepath.Join(dir, "audit.log"), PolicyFile: policy}
	s, err := Start(context.Background(), cfg)
	if err == nil {
		s.Close()
		t.Fatal("Start with a policy of level Everything succeeded, want an error")
	}
	for _, want := range []string{policy, `rules[0].level: unsupported value "Everything"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Start error = %q, want it to name %q", err, want)
		}
	}
}
