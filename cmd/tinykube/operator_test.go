package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/realnode/operators"
)

// The database operator runs on real machinery (a real server with
// embedded etcd, nodes simulated in real time, the wall clock, goroutine
// loops): a Database gets a primary and a catalog entry, and deleting it
// removes the entry through the finalizer and the objects it owned.
func TestDatabaseOperatorOnARealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real server")
	}
	_, cl := startSimCluster(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- operators.RunDatabase(ctx, operators.DatabaseConfig{Client: cl, Install: true}) }()

	dbs := client.ForResource[*database.Database](cl, database.Resource())
	db := &database.Database{ObjectMeta: api.ObjectMeta{Name: "orders", Namespace: "default"},
		Spec: database.Spec{Replicas: 2, Image: "busybox", Command: []string{"httpd", "-f", "-p", "8080"}}}
	waitForOp(t, 30*time.Second, "the Database to be created", func() error {
		_, err := dbs.Create(ctx, db, client.WriteOptions{})
		if api.IsAlreadyExists(err) {
			return nil
		}
		return err // NotFound until the operator installed the definition
	})
	var primary string
	waitForOp(t, 60*time.Second, "a ready primary", func() error {
		got, err := dbs.Get(ctx, "default", "orders")
		if err != nil {
			return err
		}
		if c := got.Status.Condition(database.ConditionReady); c == nil || c.Status != api.ConditionTrue || got.Status.ReadyReplicas != 2 {
			return fmt.Errorf("status is %+v", got.Status)
		}
		primary = got.Status.Primary
		return nil
	})
	catalog := func() map[string]string {
		cm, err := client.For[*api.ConfigMap](cl).Get(ctx, "default", database.CatalogName)
		if err != nil {
			return nil
		}
		return cm.Data
	}
	waitForOp(t, 30*time.Second, "the catalog entry", func() error {
		if got, want := catalog()["orders"], database.Address("default", "orders", primary); got != want {
			return fmt.Errorf("catalog[orders] = %q, want %q", got, want)
		}
		return nil
	})
	if _, err := dbs.Delete(ctx, "default", "orders", client.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForOp(t, 30*time.Second, "the Database and its catalog entry to go", func() error {
		if _, err := dbs.Get(ctx, "default", "orders"); !api.IsNotFound(err) {
			return fmt.Errorf("the Database is still there (%v)", err)
		}
		if _, ok := catalog()["orders"]; ok {
			return fmt.Errorf("catalog still has orders")
		}
		if _, err := client.For[*api.StatefulSet](cl).Get(ctx, "default", "orders"); !api.IsNotFound(err) {
			return fmt.Errorf("the StatefulSet is still there (%v)", err)
		}
		return nil
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunDatabase = %v", err)
	}
}

// waitFor polls f every 100ms until it returns nil, failing the test with
// f's last error after limit.
func waitForOp(t *testing.T, limit time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %v for %s: %v", limit, what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
