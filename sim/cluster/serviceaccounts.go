package cluster

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/auth/serviceaccount"
	"github.com/tinykube/tinykube/core/client"
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
	if c.accounts == nil {
		a := apiserver.New(apiserver.Config{Store: c.Store, Clock: c.W.Loop, Rand: c.W.Rand("serviceaccounts-at-start"), Version: "sim"})
		c.accounts = client.New(client.Local(a.Handle))
	}
	for _, ns := range namespaces {
		sa := &api.ServiceAccount{ObjectMeta: api.ObjectMeta{Namespace: ns, Name: serviceaccount.DefaultAccount}}
		if _, err := client.For[*api.ServiceAccount](c.accounts).Create(context.Background(), sa, client.WriteOptions{}); err != nil && !api.IsAlreadyExists(err) {
			return fmt.Errorf("creating the default ServiceAccount of namespace %q at the start: %v", ns, err)
		}
	}
	return nil
}

// existingNamespaces lists the namespaces there are.
func (c *Cluster) existingNamespaces() ([]string, error) {
	l, err := client.For[*api.Namespace](client.New(client.Local(c.API.Handle))).List(context.Background(), "", client.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ns := range l.Items {
		out = append(out, ns.Name)
	}
	return out, nil
}
