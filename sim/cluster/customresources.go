package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/store"
)

// Custom resources in scenarios: a scenario's objects (and apply faults)
// may define CustomResourceDefinitions and then create objects of them, and
// delete faults may name a custom kind as kubectl would ("widgets",
// "widget.example.com"). Once the faults are over, the cleanup of every
// deleted definition must have finished (customResourcesLive).

// resourceFor resolves apiVersion and kind among the built-in kinds and
// the custom resources of the definitions the admin reads now; nil when
// neither has it.
func (c *Cluster) resourceFor(apiVersion, kind string) (*api.Resource, error) {
	if res := api.ResourceFor(apiVersion, kind); res != nil {
		return res, nil
	}
	set, err := c.resourceSet()
	if err != nil {
		return nil, err
	}
	return set.For(apiVersion, kind), nil
}

// lookupResource resolves a kind as a person names it (see
// api.ResourceSet.Lookup), custom resources included.
func (c *Cluster) lookupResource(name string) (*api.Resource, error) {
	if res, err := api.LookupResource(name); err == nil {
		return res, nil
	}
	set, err := c.resourceSet()
	if err != nil {
		return nil, err
	}
	return set.Lookup(name)
}

// resourceSet is the built-in kinds and the custom resources of the
// definitions the admin can list.
func (c *Cluster) resourceSet() (*api.ResourceSet, error) {
	l, err := client.For[*api.CustomResourceDefinition](c.Admin).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	var custom []*api.Resource
	for _, crd := range l.Items {
		custom = append(custom, api.ResourcesFromCRD(crd)...)
	}
	return api.NewResourceSet(custom), nil
}

// customResourcesLive: every deleted CustomResourceDefinition is gone
// once the faults are over (its cleanup finished), and no custom object
// outlives its definition — no key remains under the storage prefix of a
// custom resource that no definition defines. It reads the store itself,
// not through the API, so that the check adds no call to the run.
func (c *Cluster) customResourcesLive(*liveView) error {
	ctx := context.Background()
	res := api.ResourceByPlural(api.APIExtensionsGroup, "customresourcedefinitions")
	l, err := c.Store.List(ctx, res.StoragePrefix(), store.ListOptions{})
	if err != nil {
		return err
	}
	defined := map[string]bool{} // "group/plural"
	for _, kv := range l.KVs {
		var crd api.CustomResourceDefinition
		if err := json.Unmarshal(kv.Value, &crd); err != nil {
			return fmt.Errorf("%s: %v", kv.Key, err)
		}
		if crd.DeletionTimestamp != nil {
			why := "no Terminating condition yet"
			if t := crd.Status.Condition(api.CRDTerminating); t != nil {
				why = t.Reason + ": " + t.Message
			}
			return fmt.Errorf("customresourcedefinition %s is still being deleted (%s)", crd.Name, why)
		}
		defined[crd.Spec.Group+"/"+crd.Spec.Names.Plural] = true
	}
	all, err := c.Store.List(ctx, "/registry/", store.ListOptions{})
	if err != nil {
		return err
	}
	for _, kv := range all.KVs {
		// Only custom resources are stored under a group with a dot:
		// "/registry/GROUP/PLURAL/...".
		parts := strings.SplitN(strings.TrimPrefix(kv.Key, "/registry/"), "/", 3)
		if len(parts) == 3 && strings.Contains(parts[0], ".") && !defined[parts[0]+"/"+parts[1]] {
			return fmt.Errorf("custom object %s outlives its definition %s.%s", kv.Key, parts[1], parts[0])
		}
	}
	return nil
}
