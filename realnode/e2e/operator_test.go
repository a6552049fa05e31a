package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/realnode/operators"
)

// The database operator of chapter 17 on containerd: the same code the
// simulator fuzzes runs against a real control plane and a real node.
// Its members are busybox web servers; one is labelled primary and
// named in the catalog; when the primary's pod is deleted another member
// takes over; deleting the Database removes its catalog entry (the
// finalizer's work) and its pods.
func TestDatabaseOperatorOnContainerd(t *testing.T) {
	c := newCluster(t)
	c.startAgent(nodeA)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- operators.RunDatabase(ctx, operators.DatabaseConfig{Client: c.client, Install: true})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunDatabase: %v", err)
		}
	})
	dbs := client.ForResource[*database.Database](c.client, database.Resource())
	c.eventually("the Database resource served", 30*time.Second, func() (bool, string) {
		_, err := dbs.List(ctx, "default", client.ListOptions{})
		return err == nil, fmt.Sprint(err)
	})
	db := &database.Database{ObjectMeta: api.ObjectMeta{Name: "orders", Namespace: "default"}, Spec: database.Spec{
		Replicas: 2, Image: "busybox",
		Command: []string{"sh", "-c", "mkdir /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"},
	}}
	if _, err := dbs.Create(ctx, db, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	members := database.DatabaseLabel + "=orders"
	pods := c.running(members, 2)
	for _, p := range pods {
		if body, err := get("http://" + p.Status.PodIP + ":8080/"); err != nil || strings.TrimSpace(body) != p.Name {
			t.Errorf("GET %s (member %s) = %q, %v; want its hostname", p.Status.PodIP, p.Name, body, err)
		}
	}
	primary := func() (string, string) {
		var names []string
		for _, p := range c.pods(members) {
			if p.Labels[database.RoleLabel] == database.RolePrimary {
				names = append(names, p.Name)
			}
		}
		cur, err := dbs.Get(ctx, "default", "orders")
		if err != nil || len(names) != 1 || cur.Status.Primary != names[0] || cur.Status.ReadyReplicas != 2 {
			return "", fmt.Sprintf("primaries %v, status %+v, %v", names, cur.Status, err)
		}
		return names[0], ""
	}
	var first string
	c.eventually("one primary, named in status", 60*time.Second, func() (bool, string) {
		name, why := primary()
		first = name
		return name != "", why
	})
	catalogHas := func(name string) (bool, string) {
		cm, err := client.For[*api.ConfigMap](c.client).Get(ctx, "default", database.CatalogName)
		if err != nil {
			return false, err.Error()
		}
		_, ok := cm.Data[name]
		return ok, fmt.Sprint(cm.Data)
	}
	c.eventually("the catalog names the database", 30*time.Second, func() (bool, string) { return catalogHas("orders") })

	// The primary's pod goes: another member is promoted (the StatefulSet
	// brings the lost one back as a replica, or as the primary again if
	// it is the lowest ready ordinal once it returns — either way exactly
	// one primary, and status follows).
	if _, err := client.For[*api.Pod](c.client).Delete(ctx, "default", first, client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.eventually("a primary again after the old one's pod was deleted", 90*time.Second, func() (bool, string) {
		name, why := primary()
		return name != "", why
	})

	if _, err := dbs.Delete(ctx, "default", "orders", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.eventually("the Database gone, its catalog entry removed", 60*time.Second, func() (bool, string) {
		_, err := dbs.Get(ctx, "default", "orders")
		has, data := catalogHas("orders")
		return api.IsNotFound(err) && !has, fmt.Sprintf("get: %v; catalog: %s", err, data)
	})
	c.eventually("its members gone", 60*time.Second, func() (bool, string) {
		pods := c.pods(members)
		return len(pods) == 0, fmt.Sprintf("%d pods", len(pods))
	})
}
