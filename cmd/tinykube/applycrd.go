package main

// Applying definitions and their objects in one go: a file holding a
// CustomResourceDefinition and CronTabs applies the definition first, then
// waits until the server has established it and serves the new kind,
// then applies the CronTabs.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// establishTimeout bounds the wait for a definition applied in this run to
// be served.
const establishTimeout = 30 * time.Second

// definitionsFirst returns ms with the CustomResourceDefinitions moved
// before everything else, each group keeping its order.
func definitionsFirst(ms []manifest) []manifest {
	out := append([]manifest(nil), ms...)
	isCRD := func(m manifest) bool {
		return m.kind == "CustomResourceDefinition" && strings.HasPrefix(m.apiVersion, api.APIExtensionsGroup+"/")
	}
	sort.SliceStable(out, func(i, j int) bool { return isCRD(out[i]) && !isCRD(out[j]) })
	return out
}

// rememberDefinition notes which kind the definition m defines, so that
// objects of that kind later in the run wait for it.
func rememberDefinition(m manifest, defined map[string]string) {
	var crd api.CustomResourceDefinition
	if json.Unmarshal(m.json, &crd) == nil {
		defined[crd.Spec.Group+"/"+crd.Spec.Names.Kind] = crd.Name
	}
}

// resolveApplied resolves m through discovery; when the server does not
// serve its kind yet but a definition applied in this run defines it, it
// says so on stderr and waits (up to establishTimeout) for the definition
// to be Established and its kind discovered.
func (c *cli) resolveApplied(ctx context.Context, cl *client.Client, m *manifest, defined map[string]string) error {
	err := c.resolve(ctx, cl, m)
	group, _, _ := strings.Cut(m.apiVersion, "/")
	crdName, ok := defined[group+"/"+m.kind]
	if err == nil || !ok {
		return err
	}
	fmt.Fprintf(c.stderr, "waiting for customresourcedefinition.apiextensions.k8s.io/%s to be established before applying %s\n", crdName, m.source)
	deadline := time.Now().Add(establishTimeout)
	for {
		crd, gerr := client.For[*api.CustomResourceDefinition](cl).Get(ctx, "", crdName)
		if gerr == nil && crd.Status.IsTrue(api.CRDEstablished) {
			c.rediscover()
			if err = c.resolve(ctx, cl, m); err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: customresourcedefinition %s was not established and served within %v: %v", m.source, crdName, establishTimeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
