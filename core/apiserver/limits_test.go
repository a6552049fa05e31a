package apiserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

func TestQueryParametersThatDoNotParse(t *testing.T) {
	f := newFixture(t)
	cms := "/api/v1/namespaces/default/configmaps"
	tests := []struct {
		method, path, param, value, want string
	}{
		{"GET", cms, "timeoutSeconds", "abc", `invalid timeoutSeconds "abc": it must be a non-negative integer`},
		{"GET", cms, "timeoutSeconds", "1e12", `invalid timeoutSeconds "1e12"`},
		{"GET", cms, "limit", "-1", `invalid limit "-1"`},
		{"GET", cms, "limit", "1000000000000000000000", `invalid limit "1000000000000000000000"`},
		{"GET", cms, "watch", "yes", `invalid watch "yes": it must be true or false`},
		{"GET", cms, "allowWatchBookmarks", "maybe", `invalid allowWatchBookmarks "maybe"`},
		{"GET", cms, "resourceVersion", "abc", `invalid resourceVersion "abc"`},
		{"GET", cms, "resourceVersionMatch", "Latest", `invalid resourceVersionMatch "Latest": it must be one of Exact, NotOlderThan`},
		{"GET", cms, "sendInitialEvents", "x", `invalid sendInitialEvents "x"`},
		{"GET", cms, "pretty", "very", `invalid pretty "very"`},
		{"DELETE", cms + "/a", "gracePeriodSeconds", "soon", `invalid gracePeriodSeconds "soon": it must be an integer`},
		{"DELETE", cms + "/a", "propagationPolicy", "Sideways", `invalid propagationPolicy "Sideways": it must be one of Background, Foreground, Orphan`},
		{"DELETE", cms + "/a", "orphanDependents", "perhaps", `invalid orphanDependents "perhaps"`},
		{"POST", cms, "fieldValidation", "Loose", `fieldValidation "Loose" is not one of Ignore, Warn, Strict`},
		{"POST", cms, "fieldManager", strings.Repeat("m", 129), `(129 bytes): it must be at most 128 characters`},
	}
	for _, tc := range tests {
		resp := f.do(tc.method, tc.path, rest.ContentJSON, `{"metadata":{"name":"a"}}`, tc.param, tc.value)
		st := status(t, resp)
		if resp.Code != http.StatusBadRequest || !strings.Contains(st.Message, tc.want) {
			t.Errorf("%s %s?%s=%.20s = %d %q, want 400 containing %q", tc.method, tc.path, tc.param, tc.value, resp.Code, st.Message, tc.want)
		}
	}
}

func TestObjectLargerThanTheStore(t *testing.T) {
	f := newFixture(t)
	// A pod's arguments have no size limit of their own (a ConfigMap's
	// data has, 1 MiB): only the store's stops them.
	pods := "/api/v1/namespaces/default/pods"
	pod := func(name, arg string) string {
		return `{"metadata":{"name":"` + name + `"},"spec":{"containers":[{"name":"c","image":"busybox","args":["` + arg + `"]}]}}`
	}
	resp := f.do(http.MethodPost, pods, rest.ContentJSON, pod("big", strings.Repeat("x", store.MaxValueBytes)))
	st := status(t, resp)
	if resp.Code != 413 || st.Reason != api.ReasonRequestEntityTooLarge || !strings.Contains(st.Message, "limit is 1572864") {
		t.Errorf("POST of a 1.5 MiB Pod = %d %s %q, want 413 RequestEntityTooLarge naming the limit", resp.Code, st.Reason, st.Message)
	}
	// A patch that makes an object too large is refused the same way.
	deploys := "/apis/apps/v1/namespaces/default/deployments"
	small := `{"metadata":{"name":"small"},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}`
	if resp := f.do(http.MethodPost, deploys, rest.ContentJSON, small); resp.Code != 201 {
		t.Fatalf("POST small = %d %s", resp.Code, resp.Body)
	}
	patch := `{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox","args":["` + strings.Repeat("x", store.MaxValueBytes) + `"]}]}}}}`
	resp = f.do(http.MethodPatch, deploys+"/small", rest.ContentMergePatch, patch)
	if st := status(t, resp); resp.Code != 413 || !strings.Contains(st.Message, "limit is 1572864") {
		t.Errorf("PATCH making a Deployment 1.5 MiB = %d %q, want 413 naming the limit", resp.Code, st.Message)
	}
}
