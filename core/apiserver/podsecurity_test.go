package apiserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// labelNamespace creates namespace name with labels through the server.
func (f *fixture) labelNamespace(name string, labels map[string]string) *rest.Response {
	f.t.Helper()
	body, _ := json.Marshal(api.Namespace{ObjectMeta: api.ObjectMeta{Name: name, Labels: labels}})
	return f.do(http.MethodPost, "/api/v1/namespaces", rest.ContentJSON, string(body))
}

// privilegedPod is the pod of the acceptance: one privileged
// container and nothing else set.
const privilegedPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},
 "spec":{"containers":[{"name":"c","image":"busybox","securityContext":{"privileged":true}}]}}`

// restrictedViolations is what restricted:latest says of privilegedPod.
const restrictedViolations = `privileged (container "c" must not set securityContext.privileged=true), ` +
	`allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ` +
	`unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ` +
	`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ` +
	`seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`

const compliantPod = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ok"},
 "spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}},
  "containers":[{"name":"c","image":"busybox","securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}]}}`

// podSecurityWarnings are a response's warnings from Pod Security
// admission (not, say, those about fields tinykube does not implement).
func podSecurityWarnings(resp *rest.Response) []string {
	var out []string
	for _, w := range resp.Warnings {
		if strings.HasPrefix(w, "would violate PodSecurity") {
			out = append(out, w)
		}
	}
	return out
}

func TestPodSecurityPods(t *testing.T) {
	tests := []struct {
		name     string
		labels   map[string]string
		pod      string
		dryRun   bool
		code     int
		message  string
		warnings []string
		audit    map[string]string
	}{
		{name: "unlabelled namespace allows everything", pod: privilegedPod, code: http.StatusCreated,
			audit: map[string]string{"pod-security.kubernetes.io/enforce-policy": "privileged:latest"}},
		{name: "enforce restricted refuses", labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
			pod: privilegedPod, code: http.StatusForbidden,
			message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": ` + restrictedViolations,
			audit:   map[string]string{"pod-security.kubernetes.io/enforce-policy": "restricted:latest"}},
		{name: "enforce refuses a dry run too", labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
			pod: privilegedPod, dryRun: true, code: http.StatusForbidden,
			message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": ` + restrictedViolations,
			audit:   map[string]string{"pod-security.kubernetes.io/enforce-policy": "restricted:latest"}},
		{name: "enforce restricted admits a compliant pod", labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
			pod: compliantPod, code: http.StatusCreated,
			audit: map[string]string{"pod-security.kubernetes.io/enforce-policy": "restricted:latest"}},
		{name: "enforce baseline pinned", labels: map[string]string{"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.30"},
			pod: privilegedPod, code: http.StatusForbidden,
			message: `pods "x" is forbidden: violates PodSecurity "baseline:v1.30": privileged (container "c" must not set securityContext.privileged=true)`,
			audit:   map[string]string{"pod-security.kubernetes.io/enforce-policy": "baseline:v1.30"}},
		{name: "warn and audit", labels: map[string]string{"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "baseline"},
			pod: privilegedPod, code: http.StatusCreated,
			warnings: []string{`would violate PodSecurity "restricted:latest": ` + restrictedViolations},
			audit: map[string]string{
				"pod-security.kubernetes.io/enforce-policy":   "privileged:latest",
				"pod-security.kubernetes.io/audit-violations": `would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)`,
			}},
		{name: "enforce baseline, warn restricted: the warning for an admitted pod", labels: map[string]string{
			"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted"},
			pod: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"y"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}`, code: http.StatusCreated,
			warnings: []string{`would violate PodSecurity "restricted:latest": ` +
				`allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ` +
				`unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ` +
				`runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ` +
				`seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`},
			audit: map[string]string{"pod-security.kubernetes.io/enforce-policy": "baseline:latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if resp := f.labelNamespace("team", tt.labels); resp.Code != http.StatusCreated {
				t.Fatalf("create namespace: %d %s", resp.Code, resp.Body)
			}
			var query []string
			if tt.dryRun {
				query = []string{"dryRun", "All"}
			}
			resp := f.do(http.MethodPost, "/api/v1/namespaces/team/pods", rest.ContentJSON, tt.pod, query...)
			if resp.Code != tt.code {
				t.Fatalf("create pod = %d %s, want %d", resp.Code, resp.Body, tt.code)
			}
			if tt.message != "" {
				if st := status(t, resp); st.Message != tt.message || st.Reason != api.ReasonForbidden {
					t.Errorf("create pod: %s %q,\nwant Forbidden %q", st.Reason, st.Message, tt.message)
				}
			}
			if diff := cmp.Diff(tt.warnings, podSecurityWarnings(resp)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.audit, resp.AuditAnnotations); diff != "" {
				t.Errorf("audit annotations (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPodSecurityGeneratedName: a pod created with generateName is named
// in the refusal, as a ReplicaSet's FailedCreate event shows it.
func TestPodSecurityGeneratedName(t *testing.T) {
	f := newFixture(t)
	f.labelNamespace("team", map[string]string{"pod-security.kubernetes.io/enforce": "baseline"})
	p := newPod("", nil)
	p.Namespace, p.GenerateName = "team", "web-"
	p.Spec.HostNetwork = true
	_, err := pods(f).Create(f.ctx, p, client.WriteOptions{})
	if err == nil || api.ReasonOf(err) != api.ReasonForbidden {
		t.Fatalf("create = %v, want Forbidden", err)
	}
	const suffix = `" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)`
	if msg := err.Error(); len(msg) != len(`pods "web-xxxxx`)+len(suffix) || msg[:len(`pods "web-`)] != `pods "web-` || msg[len(msg)-len(suffix):] != suffix {
		t.Errorf("create error = %q, want pods \"web-?????%s", msg, suffix)
	}
}

func TestPodSecurityWorkloadsWarnOnly(t *testing.T) {
	f := newFixture(t)
	f.labelNamespace("team", map[string]string{"pod-security.kubernetes.io/enforce": "baseline"})
	d := newDeployment("web", 1)
	d.Namespace = "team"
	d.Spec.Template.Spec.HostPID = true
	body, _ := json.Marshal(d)
	resp := f.do(http.MethodPost, "/apis/apps/v1/namespaces/team/deployments", rest.ContentJSON, string(body))
	if resp.Code != http.StatusCreated {
		t.Fatalf("create deployment = %d %s, want 201: templates are never refused", resp.Code, resp.Body)
	}
	// Warn follows enforce when only enforce is set.
	want := []string{`would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)`}
	if diff := cmp.Diff(want, podSecurityWarnings(resp)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if _, ok := resp.AuditAnnotations["pod-security.kubernetes.io/enforce-policy"]; ok {
		t.Errorf("audit annotations = %v, want no enforce-policy for a template", resp.AuditAnnotations)
	}
	// Scaling (a subresource) is not checked again.
	resp = f.do(http.MethodPatch, "/apis/apps/v1/namespaces/team/deployments/web/scale", "application/merge-patch+json", `{"spec":{"replicas":2}}`)
	if resp.Code != http.StatusOK || len(resp.Warnings) != 0 {
		t.Errorf("scale = %d, warnings %q; want 200 and none", resp.Code, resp.Warnings)
	}
}

func TestPodSecurityPodUpdates(t *testing.T) {
	f := newFixture(t)
	f.labelNamespace("team", nil)
	if resp := f.do(http.MethodPost, "/api/v1/namespaces/team/pods", rest.ContentJSON, privilegedPod); resp.Code != http.StatusCreated {
		t.Fatalf("create pod: %d %s", resp.Code, resp.Body)
	}
	resp := f.do(http.MethodPatch, "/api/v1/namespaces/team", "application/merge-patch+json",
		`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"restricted"}}}`)
	if resp.Code != http.StatusOK {
		t.Fatalf("label namespace: %d %s", resp.Code, resp.Body)
	}
	// A label change on the pod is not significant: let through.
	resp = f.do(http.MethodPatch, "/api/v1/namespaces/team/pods/x", "application/merge-patch+json", `{"metadata":{"labels":{"a":"b"}}}`)
	if resp.Code != http.StatusOK {
		t.Errorf("relabel pod = %d %s, want 200", resp.Code, resp.Body)
	}
	// A new image is: the pod is checked against the namespace's level now.
	resp = f.do(http.MethodPatch, "/api/v1/namespaces/team/pods/x", "application/strategic-merge-patch+json",
		`{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}`)
	if st := status(t, resp); resp.Code != http.StatusForbidden || st.Message != `pods "x" is forbidden: violates PodSecurity "restricted:latest": `+restrictedViolations {
		t.Errorf("new image = %d %q, want 403 with the restricted violations", resp.Code, st.Message)
	}
}

func TestPodSecurityNamespaceLabels(t *testing.T) {
	f := newFixture(t)
	resp := f.labelNamespace("bad", map[string]string{"pod-security.kubernetes.io/enforce": "strict", "pod-security.kubernetes.io/warn-version": "1.30"})
	st := status(t, resp)
	want := `Namespace "bad" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, ` +
		`metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.30": must be "latest" or "v1.x"]`
	if resp.Code != http.StatusUnprocessableEntity || st.Message != want {
		t.Errorf("create namespace = %d %q,\nwant 422 %q", resp.Code, st.Message, want)
	}

	f.labelNamespace("team", nil)
	for _, p := range []string{privilegedPod,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"busybox"}]}}`,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b"},"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"busybox"}]}}`,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"c"},"spec":{"hostNetwork":true,"containers":[{"name":"c","image":"busybox"}]}}`,
		`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"d"},"spec":{"hostNetwork":true,"hostPID":true,"containers":[{"name":"c","image":"busybox"}]}}`,
		compliantPod,
	} {
		if resp := f.do(http.MethodPost, "/api/v1/namespaces/team/pods", rest.ContentJSON, p); resp.Code != http.StatusCreated {
			t.Fatalf("create pod: %d %s", resp.Code, resp.Body)
		}
	}
	patch := func(labels string) *rest.Response {
		return f.do(http.MethodPatch, "/api/v1/namespaces/team", "application/merge-patch+json", `{"metadata":{"labels":`+labels+`}}`)
	}
	resp = patch(`{"pod-security.kubernetes.io/enforce":"baseline"}`)
	wantWarnings := []string{
		`existing pods in namespace "team" violate the new PodSecurity enforce level "baseline:latest"`,
		`a (and 3 other pods): host namespaces`,
		`x: privileged`,
	}
	if resp.Code != http.StatusOK {
		t.Fatalf("label baseline = %d %s", resp.Code, resp.Body)
	}
	if diff := cmp.Diff(wantWarnings, resp.Warnings); diff != "" {
		t.Errorf("label baseline: warnings (-want +got):\n%s", diff)
	}
	// Relaxing at the same version warns about nothing.
	if resp = patch(`{"pod-security.kubernetes.io/enforce":"privileged"}`); resp.Code != http.StatusOK || len(resp.Warnings) != 0 {
		t.Errorf("relax = %d, warnings %q; want 200 and none", resp.Code, resp.Warnings)
	}
	// A bad value is refused on update as on create.
	resp = patch(`{"pod-security.kubernetes.io/audit":"loud"}`)
	if st := status(t, resp); resp.Code != http.StatusUnprocessableEntity ||
		st.Message != `Namespace "team" is invalid: metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "loud": must be one of privileged, baseline, restricted` {
		t.Errorf("bad audit label = %d %q, want 422", resp.Code, st.Message)
	}
}
