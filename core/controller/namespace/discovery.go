package namespace

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller"
)

// namespacedResources returns every kind a namespace can hold, as
// Kubernetes' namespace controller learns them from discovery on each
// pass: the namespaced built-in kinds of the resource table, then one
// resource per namespaced custom resource of the CustomResourceDefinitions
// the API has now (read live, so a kind defined a moment ago is not
// missed), ordered by group and plural. When the definitions cannot be
// read it returns the built-in kinds and the error: the caller must not
// finalize the namespace on that pass, since custom objects may remain.
func (c *Controller) namespacedResources(ctx context.Context) ([]*api.Resource, error) {
	var out []*api.Resource
	for _, res := range api.Resources() {
		if res.Namespaced && !res.Virtual {
			out = append(out, res)
		}
	}
	crds, err := client.For[*api.CustomResourceDefinition](c.client).List(ctx, "", client.ListOptions{})
	if err != nil {
		return out, fmt.Errorf("listing customresourcedefinitions.apiextensions.k8s.io to find the custom kinds: %v", err)
	}
	var custom []*api.Resource
	for _, crd := range crds.Items {
		if res := controller.CustomResourceOf(crd); res != nil && res.Namespaced {
			custom = append(custom, res)
		}
	}
	// The set drops a definition that takes a built-in kind's group and
	// plural (never served), and orders the rest.
	for _, res := range api.NewResourceSet(custom).Custom() {
		out = append(out, res)
	}
	return out, nil
}
