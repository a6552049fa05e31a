package main

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tinykube/tinykube/core/store/encryption"
	"github.com/tinykube/tinykube/realnode/controlplane"
)

// encryptionCommand is `tinykube encryption`: a fresh configuration, and
// the rewrite step of a key rotation.
func (c *cli) encryptionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "encryption",
		Short: "Encrypt Secrets at rest: write a configuration, rotate keys",
		Long: `Servers started with --encryption-provider-config FILE keep the resources the
file names (Secrets) encrypted in etcd. Give every server of a cluster the same file.

Turn it on:   tinykube encryption new-config > enc.yaml   (then restart the servers with it)
Rotate a key, as in Kubernetes:
  1. add the new key second in the file on every server, restart them;
  2. move it first on every server, restart them;
  3. tinykube encryption rotate     (rewrites every Secret with the new key);
  4. remove the old key from the file, restart the servers.`,
	}
	var keyName string
	newConfig := &cobra.Command{
		Use:   "new-config",
		Short: "Print an EncryptionConfiguration with a fresh aesgcm key, then identity",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name := keyName
			if name == "" {
				name = "key-" + time.Now().UTC().Format("20060102t150405")
			}
			out, err := encryption.NewConfigYAML(rand.Reader, name)
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(out)
			return err
		},
	}
	newConfig.Flags().StringVar(&keyName, "key-name", "", "the new key's name (default: key-DATE-TIME, so the newest key is easy to tell)")
	var resources []string
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Rewrite every Secret so that the servers re-encrypt it with their first key",
		Long: `Reads every Secret (or each resource given with --resource) and writes it back
unchanged; each server encrypts what it writes with the first provider of its
EncryptionConfiguration. Run it once every server has the new key first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			total := 0
			for _, name := range resources {
				res, err := c.lookup(cmd.Context(), cl, name)
				if err != nil {
					return err
				}
				r, err := controlplane.Rewrite(cmd.Context(), cl, res, c.stdout)
				total += r.Rewritten
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(c.stdout, "%d object(s) rewritten with the servers' first provider\n", total)
			return nil
		},
	}
	rotate.Flags().StringSliceVar(&resources, "resource", []string{"secrets"}, "the resources to rewrite (as the EncryptionConfiguration names them), comma-separated")
	cmd.AddCommand(newConfig, rotate)
	return cmd
}
