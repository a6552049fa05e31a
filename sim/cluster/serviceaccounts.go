package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/rest"
	"github.com/tinykube/tinykube/core/store"
)

// A scenario starts from a running cluster: what its controllers do in
// their first moments has been done. With ServiceAccount tokens on, the
// API server refuses a pod whose ServiceAccount does not exist yet, as
// Kubernetes does ("error looking up service account default/default"),
// so a manifest applied at 0s, before the ServiceAccount controller has
// made the namespace's default account, would be refused. The simulator
// makes those accounts itself, in every namespace there is at the start
// and in every one the scenario creates, in process (as the server's own
// bootstrap writes) through a server of its own random stream, so that
// no uid or generated name of the run changes. The controller finds them
// there, as after a restart.

// defaultAccounts makes the default ServiceAccount of each namespace,
// when it is missing.
func (c *Cluster) defaultAccounts(namespaces ...string) error {
	if c.accountsAPI == nil {
		c.accountsAPI = apiserver.New(apiserver.Config{Store: c.Store, Clock: c.W.Loop, Rand: c.W.Rand("serviceaccounts-at-start"), Version: "sim"})
	}
	for _, ns := range namespaces {
		sa := &api.ServiceAccount{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: api.ObjectMeta{Namespace: ns, Name: serviceaccount.DefaultAccount}}
		body, err := json.Marshal(sa)
		if err != nil {
			return err
		}
		resp := c.accountsAPI.Handle(context.Background(), &rest.Request{Method: http.MethodPost,
			Path: "/api/v1/namespaces/" + ns + "/serviceaccounts", ContentType: rest.ContentJSON, Body: body})
		if resp.Code != http.StatusCreated && resp.Code != http.StatusConflict {
			return fmt.Errorf("creating the default ServiceAccount of namespace %q at the start: %d %s", ns, resp.Code, resp.Body)
		}
	}
	return nil
}

// existingNamespaces lists the namespaces in the store.
func (c *Cluster) existingNamespaces() ([]string, error) {
	l, err := c.Store.List(context.Background(), "/registry/namespaces/", store.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, kv := range l.KVs {
		var ns api.Namespace
		if err := json.Unmarshal(kv.Value, &ns); err != nil {
			return nil, err
		}
		out = append(out, ns.Name)
	}
	return out, nil
}
