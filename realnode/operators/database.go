package operators

import (
	"context"
	"fmt"
	"io"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/operator/database"
	"github.com/tinykube/tinykube/realnode/runloop"
)

// DatabaseConfig is what RunDatabase needs.
type DatabaseConfig struct {
	// Client reaches the API server as the operator's user (the
	// kubeconfig's, or a ServiceAccount token's).
	Client *client.Client
	// Install creates the Database CustomResourceDefinition when it is
	// missing (it needs the right to create CRDs; otherwise apply
	// examples/operators/database/crd.yaml once, as an admin).
	Install bool
	Log     io.Writer
}

// RunDatabase runs the database operator until ctx ends: one loop on the
// wall clock, the operator started on it. It returns an error only when it
// cannot start.
func RunDatabase(ctx context.Context, cfg DatabaseConfig) error {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Install {
		if err := installCRD(ctx, cfg.Client); err != nil {
			return err
		}
	}
	crds := client.For[*api.CustomResourceDefinition](cfg.Client)
	if _, err := crds.Get(ctx, "", database.Plural+"."+database.Group); err != nil {
		if api.IsNotFound(err) {
			return fmt.Errorf("the cluster has no %s.%s CustomResourceDefinition: apply examples/operators/database/crd.yaml (or pass --install)", database.Plural, database.Group)
		}
		// Not allowed to read CRDs is fine: the informers will say more.
		fmt.Fprintf(cfg.Log, "database operator: cannot check the definition (%v); starting anyway\n", err)
	}
	l := runloop.New()
	l.Post(func() {
		rec := client.NewRecorder(l, cfg.Client, "database-operator", "")
		database.New(database.Config{Loop: l, Client: cfg.Client, Recorder: rec}).Start()
		fmt.Fprintln(cfg.Log, "database operator: started")
	})
	l.Run(ctx)
	return nil
}

// installCRD creates the definition unless it exists.
func installCRD(ctx context.Context, c *client.Client) error {
	_, err := client.For[*api.CustomResourceDefinition](c).Create(ctx, database.CRD(), client.WriteOptions{})
	if err != nil && !api.IsAlreadyExists(err) {
		return fmt.Errorf("installing the Database definition: %v", err)
	}
	return nil
}
