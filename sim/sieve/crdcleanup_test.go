package sieve

import (
	"context"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/controller/crdcleanup"
	"github.com/tinykube/tinykube/sim"
)

// widgetDefinition is a namespaced custom resource, Widget, of example.com.
const widgetDefinition = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`

// crdCleanupCase deletes a definition with objects in two namespaces, one
// of them held by a finalizer that a user removes later; another
// definition's object must stay. However the controller is crashed or fed
// stale reads, the definition ends removed with every one of its objects,
// the other untouched.
func crdCleanupCase() Case {
	return Case{
		Name: "customresourcecleanup",
		Objects: widgetDefinition + `
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: default}
spec: {size: 1}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w2, namespace: team}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: held, namespace: team, finalizers: [example.com/hold]}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g1, namespace: team}
`,
		Script: []Step{
			{At: 5 * time.Second, Do: remove[*api.CustomResourceDefinition]("", "widgets.example.com", "")},
			{At: 30 * time.Second, Do: releaseWidget("team", "held")},
		},
		Controller: func(w *sim.World, p *sim.Process) {
			crdcleanup.New(crdcleanup.Config{Loop: p.Loop(), Client: p.Client()}).Start()
		},
		Want: all(want("customresourcedefinitions/widgets.example.com", 0),
			want("example.com/", 0, `"kind": "Widget"`),
			want("customresourcedefinitions/gadgets.example.com", 1),
			want("example.com/team/g1", 1, `"kind": "Gadget"`)),
	}
}

// releaseWidget removes the finalizers of a Widget.
func releaseWidget(ns, name string) func(ctx context.Context, admin *client.Client) error {
	return func(ctx context.Context, admin *client.Client) error {
		res, err := customResource(ctx, admin, "example.com/v1", "Widget")
		if err != nil {
			return err
		}
		h := client.Dynamic(admin, res)
		obj, err := h.Get(ctx, ns, name)
		if err != nil {
			return err
		}
		obj.GetObjectMeta().Finalizers = nil
		_, err = h.Update(ctx, obj, client.WriteOptions{})
		return err
	}
}

func TestCustomResourceCleanup(t *testing.T) {
	t.Parallel()
	Check(t, crdCleanupCase())
}
