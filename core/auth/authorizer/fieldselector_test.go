package authorizer

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/tinykube/tinykube/core/rest"
)

func TestAttributesForFieldSelectorName(t *testing.T) {
	tests := []struct {
		method, path, selector, watch string
		verb, name                    string
	}{
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "metadata.name=web", "", "list", "web"},
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "metadata.name==web", "true", "watch", "web"},
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "type=Opaque,metadata.name=web", "", "list", "web"},
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "metadata.name!=web", "", "list", ""},
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "metadata.name=a,metadata.name=b", "", "list", ""},
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "metadata.namespace=dev", "", "list", ""},
		{http.MethodGet, "/api/v1/namespaces/dev/secrets", "", "", "list", ""},
		// A named request keeps its own name; a delete of a collection
		// is not a read.
		{http.MethodGet, "/api/v1/namespaces/dev/secrets/db", "metadata.name=web", "", "get", "db"},
		{http.MethodDelete, "/api/v1/namespaces/dev/secrets", "metadata.name=web", "", "deletecollection", ""},
	}
	for _, tt := range tests {
		q := url.Values{}
		if tt.selector != "" {
			q.Set("fieldSelector", tt.selector)
		}
		if tt.watch != "" {
			q.Set("watch", tt.watch)
		}
		a := AttributesFor(&rest.Request{Method: tt.method, Path: tt.path, Query: q})
		if a.Verb != tt.verb || a.Name != tt.name {
			t.Errorf("AttributesFor(%s %s?fieldSelector=%s) = verb %q name %q, want %q %q", tt.method, tt.path, tt.selector, a.Verb, a.Name, tt.verb, tt.name)
		}
	}
}
