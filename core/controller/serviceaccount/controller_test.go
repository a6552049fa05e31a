package serviceaccount

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/client/clienttest"
)

const caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

// newEnv starts both controllers on a fresh API server and settles.
func newEnv(t *testing.T) *clienttest.Env {
	t.Helper()
	e := clienttest.New(t, 1, 2)
	cfg := Config{Loop: e.Loop, Client: client.New(e.Transport)}
	a, r := NewAccounts(cfg), NewRootCA(cfg, []byte(caPEM))
	a.Start()
	r.Start()
	t.Cleanup(func() { a.Stop(); r.Stop() })
	e.Settle()
	return e
}

func accountUID(e *clienttest.Env, ns string) string {
	sa, err := client.For[*api.ServiceAccount](e.Client).Get(context.Background(), ns, DefaultName)
	if api.IsNotFound(err) {
		return ""
	}
	if err != nil {
		e.T.Fatalf("get serviceaccount %s/default: %v", ns, err)
	}
	return sa.UID
}

func rootCA(e *clienttest.Env, ns string) *api.ConfigMap {
	cm, err := client.For[*api.ConfigMap](e.Client).Get(context.Background(), ns, RootCAConfigMap)
	if api.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.T.Fatalf("get configmap %s/%s: %v", ns, RootCAConfigMap, err)
	}
	return cm
}

func TestEveryNamespaceGetsItsAccountAndCA(t *testing.T) {
	e := newEnv(t)
	if _, err := client.For[*api.Namespace](e.Client).Create(context.Background(), &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "dev"}}, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2e9)
	for _, ns := range []string{"default", "kube-system", "kube-public", "kube-node-lease", "dev"} {
		if accountUID(e, ns) == "" {
			t.Errorf("namespace %s has no ServiceAccount default, want one", ns)
		}
		cm := rootCA(e, ns)
		if cm == nil {
			t.Errorf("namespace %s has no ConfigMap %s, want one", ns, RootCAConfigMap)
			continue
		}
		if diff := cmp.Diff(map[string]string{RootCAKey: caPEM}, cm.Data); diff != "" {
			t.Errorf("%s/%s data (-want +got):\n%s", ns, RootCAConfigMap, diff)
		}
	}
}

func TestDeletedAccountComesBack(t *testing.T) {
	e := newEnv(t)
	old := accountUID(e, "default")
	if _, err := client.For[*api.ServiceAccount](e.Client).Delete(context.Background(), "default", DefaultName, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2e9)
	if uid := accountUID(e, "default"); uid == "" || uid == old {
		t.Errorf("after deleting default/default: uid %q (was %q), want a new account", uid, old)
	}
}

func TestEditedOrDeletedCAIsRestored(t *testing.T) {
	e := newEnv(t)
	cms := client.For[*api.ConfigMap](e.Client)
	cm := rootCA(e, "default")
	cm.Data = map[string]string{RootCAKey: "forged", "extra": "x"}
	cm.Labels = map[string]string{"keep": "me"}
	if _, err := cms.Update(context.Background(), cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2e9)
	got := rootCA(e, "default")
	if diff := cmp.Diff(map[string]string{RootCAKey: caPEM}, got.Data); diff != "" {
		t.Errorf("edited %s data after reconcile (-want +got):\n%s", RootCAConfigMap, diff)
	}
	if got.Labels["keep"] != "me" {
		t.Errorf("labels after reconcile = %v, want the user's label kept", got.Labels)
	}
	if _, err := cms.Delete(context.Background(), "default", RootCAConfigMap, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2e9)
	if rootCA(e, "default") == nil {
		t.Errorf("deleted %s not recreated", RootCAConfigMap)
	}
}

func TestTerminatingNamespaceGetsNothing(t *testing.T) {
	e := newEnv(t)
	nss := client.For[*api.Namespace](e.Client)
	ns := &api.Namespace{ObjectMeta: api.ObjectMeta{Name: "going", Finalizers: []string{"example.com/hold"}}}
	if _, err := nss.Create(context.Background(), ns, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.Settle()
	if _, err := client.For[*api.ServiceAccount](e.Client).Delete(context.Background(), "going", DefaultName, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := nss.Delete(context.Background(), "", "going", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	e.RunFor(2e9)
	if uid := accountUID(e, "going"); uid != "" {
		t.Errorf("terminating namespace got ServiceAccount default (uid %s), want none", uid)
	}
}
