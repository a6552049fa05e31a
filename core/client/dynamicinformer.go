package client

import (
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/loop"
)

// NewDynamicInformer returns an informer of the resource res, whatever its
// Go type: the objects it caches are what res.New makes (an
// *api.Unstructured for a custom resource). It is the informer for a kind
// known only at run time, such as the custom resources a component learns
// of from the CustomResourceDefinitions it watches; it lists and watches
// exactly as NewInformer does, in namespace ns ("" for all namespaces and
// for cluster-scoped kinds), restricted by opts' selectors.
func NewDynamicInformer(l loop.Loop, c *Client, res *api.Resource, ns string, opts ListOptions) *Informer[api.Object] {
	return &Informer[api.Object]{loop: l, res: Dynamic(c, res), ns: ns, opts: opts,
		items: map[string]api.Object{}, indexes: map[string]*index[api.Object]{}}
}
