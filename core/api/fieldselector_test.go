package api

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFieldSelector(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", ""},
		{"spec.nodeName=n1", "spec.nodeName=n1"},
		{"spec.nodeName==n1", "spec.nodeName=n1"},
		{"status.phase!=Running,spec.nodeName=n1", "spec.nodeName=n1,status.phase!=Running"},
		{"spec.nodeName=", "spec.nodeName="},
		{`metadata.name=a\,b\=c\\d`, `metadata.name=a\,b\=c\\d`},
	}
	for _, tt := range tests {
		fs, err := ParseFieldSelector(tt.in)
		if err != nil {
			t.Errorf("ParseFieldSelector(%q) error: %v", tt.in, err)
			continue
		}
		if got := fs.String(); got != tt.want {
			t.Errorf("ParseFieldSelector(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		back, err := ParseFieldSelector(fs.String())
		if err != nil || !cmp.Equal(back.terms, fs.terms, cmp.AllowUnexported(fieldTerm{})) {
			t.Errorf("ParseFieldSelector(%q) does not re-parse to itself: %v, %v", fs.String(), back, err)
		}
	}
	fs, _ := ParseFieldSelector(`metadata.name=a\,b`)
	if v, _ := fs.RequiresExactMatch("metadata.name"); v != "a,b" {
		t.Errorf("escaped value = %q, want %q", v, "a,b")
	}
}

func TestParseFieldSelectorErrors(t *testing.T) {
	tests := []struct{ in, wantSub string }{
		{"spec.nodeName", `can't understand "spec.nodeName"`},
		{"=x", "the field name is empty"},
		{"a=b,", `can't understand ""`},
		{"a=b=c", "unescaped '=' in value"},
		{`a=b\`, "trailing backslash"},
		{`a=\q`, `invalid escape sequence \q`},
	}
	for _, tt := range tests {
		fs, err := ParseFieldSelector(tt.in)
		if err == nil {
			t.Errorf("ParseFieldSelector(%q) = %q, want error containing %q", tt.in, fs, tt.wantSub)
			continue
		}
		if !strings.HasPrefix(err.Error(), "invalid selector: ") || !strings.Contains(err.Error(), tt.wantSub) {
			t.Errorf("ParseFieldSelector(%q) error = %q, want it to contain %q", tt.in, err, tt.wantSub)
		}
	}
}

func TestFieldSelectorMatches(t *testing.T) {
	fields := map[string]string{"spec.nodeName": "n1", "status.phase": "Running"}
	tests := []struct {
		sel  string
		want bool
	}{
		{"", true},
		{"spec.nodeName=n1", true},
		{"spec.nodeName=n2", false},
		{"spec.nodeName!=n2", true},
		{"spec.nodeName=n1,status.phase!=Running", false},
		{"spec.nodeName=", false},
		{"status.podIP=", true}, // missing fields read as ""
		{"status.podIP!=", false},
	}
	for _, tt := range tests {
		fs, err := ParseFieldSelector(tt.sel)
		if err != nil {
			t.Fatalf("ParseFieldSelector(%q) error: %v", tt.sel, err)
		}
		if got := fs.Matches(fields); got != tt.want {
			t.Errorf("ParseFieldSelector(%q).Matches(%v) = %v, want %v", tt.sel, fields, got, tt.want)
		}
	}
}

func TestRequiresExactMatch(t *testing.T) {
	fs, _ := ParseFieldSelector("status.phase!=Failed,spec.nodeName==n1")
	if v, ok := fs.RequiresExactMatch("spec.nodeName"); !ok || v != "n1" {
		t.Errorf("RequiresExactMatch(spec.nodeName) = %q, %v, want n1, true", v, ok)
	}
	if v, ok := fs.RequiresExactMatch("status.phase"); ok {
		t.Errorf("RequiresExactMatch(status.phase) = %q, true, want false (only != is given)", v)
	}
	if fs.Empty() {
		t.Errorf("Empty() = true, want false")
	}
}

func TestObjectFields(t *testing.T) {
	pod := &Pod{ObjectMeta: ObjectMeta{Name: "p", Namespace: "ns"},
		Spec:   PodSpec{NodeName: "n1", RestartPolicy: RestartAlways, SchedulerName: "default-scheduler", ServiceAccountName: "sa"},
		Status: PodStatus{Phase: PodRunning, PodIP: "10.0.0.1"}}
	want := map[string]string{
		"metadata.name": "p", "metadata.namespace": "ns", "spec.nodeName": "n1", "spec.restartPolicy": "Always",
		"spec.schedulerName": "default-scheduler", "spec.serviceAccountName": "sa", "spec.hostNetwork": "false",
		"status.phase": "Running", "status.podIP": "10.0.0.1",
	}
	if diff := cmp.Diff(want, ObjectFields(pod)); diff != "" {
		t.Errorf("ObjectFields(pod) (-want +got):\n%s", diff)
	}
	node := &Node{ObjectMeta: ObjectMeta{Name: "n1"}, Spec: NodeSpec{Unschedulable: true}}
	if diff := cmp.Diff(map[string]string{"metadata.name": "n1", "spec.unschedulable": "true"}, ObjectFields(node)); diff != "" {
		t.Errorf("ObjectFields(node) (-want +got):\n%s", diff)
	}
	ev := &Event{ObjectMeta: ObjectMeta{Name: "e", Namespace: "ns"}, Reason: "Started", Type: "Normal",
		Source:         EventSource{Component: "kubelet"},
		InvolvedObject: ObjectReference{Kind: "Pod", Name: "p", Namespace: "ns", UID: "u1"}}
	f := ObjectFields(ev)
	for k, v := range map[string]string{"involvedObject.kind": "Pod", "involvedObject.name": "p", "involvedObject.uid": "u1", "reason": "Started", "source": "kubelet", "type": "Normal", "involvedObject.fieldPath": ""} {
		if got, ok := f[k]; !ok || got != v {
			t.Errorf("ObjectFields(event)[%q] = %q, %v, want %q", k, got, ok, v)
		}
	}
	rs := &ReplicaSet{Status: ReplicaSetStatus{Replicas: 3}}
	if got := ObjectFields(rs)["status.replicas"]; got != "3" {
		t.Errorf("ObjectFields(rs)[status.replicas] = %q, want 3", got)
	}
	if got := ObjectFields(&Secret{Type: "Opaque"})["type"]; got != "Opaque" {
		t.Errorf("ObjectFields(secret)[type] = %q, want Opaque", got)
	}
	if got := ObjectFields(&Namespace{Status: NamespaceStatus{Phase: "Active"}})["status.phase"]; got != "Active" {
		t.Errorf("ObjectFields(namespace)[status.phase] = %q, want Active", got)
	}
}

func TestValidateFieldSelector(t *testing.T) {
	pods, _ := LookupResource("pods")
	nodes, _ := LookupResource("nodes")
	cms, _ := LookupResource("configmaps")
	tests := []struct {
		r       *Resource
		sel     string
		wantErr string
	}{
		{pods, "spec.nodeName=n1,status.phase!=Failed", ""},
		{pods, "metadata.namespace=default", ""},
		{pods, "spec.foo=x", "field label not supported: spec.foo"},
		{nodes, "spec.unschedulable=false", ""},
		{nodes, "metadata.namespace=x", "field label not supported: metadata.namespace"},
		{cms, "metadata.name=x", ""},
		{cms, "data.x=y", "field label not supported: data.x"},
	}
	for _, tt := range tests {
		fs, err := ParseFieldSelector(tt.sel)
		if err != nil {
			t.Fatal(err)
		}
		err = ValidateFieldSelector(tt.r, fs)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.wantErr {
			t.Errorf("ValidateFieldSelector(%s, %q) = %q, want %q", tt.r.Plural, tt.sel, got, tt.wantErr)
		}
	}
}
