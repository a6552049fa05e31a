package main

import (
	"fmt"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/realnode/operators"
)

func (c *cli) operatorCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "operator",
		Short: "Run an operator written with tinykube's client against a cluster",
	}
	var install bool
	run := &cobra.Command{
		Use:   "run database",
		Short: "Run the database operator (core/operator/database) until interrupted",
		Long: `Run an operator against the cluster of the kubeconfig, as its user.

  tinykube apply -f examples/operators/database/crd.yaml
  tinykube apply -f examples/operators/database/rbac.yaml
  tinykube operator run database --kubeconfig operator.kubeconfig
  tinykube apply -f examples/operators/database/database.yaml
  tinykube get databases`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] != "database" {
				return fmt.Errorf("unknown operator %q (known: database)", args[0])
			}
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			cl.UserAgent = "database-operator"
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return operators.RunDatabase(ctx, operators.DatabaseConfig{Client: cl, Install: install, Log: c.stderr})
		},
	}
	run.Flags().BoolVar(&install, "install", false, "create the Database CustomResourceDefinition if the cluster has none")
	cmd.AddCommand(run)
	return cmd
}
