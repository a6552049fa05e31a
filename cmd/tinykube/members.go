package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/realnode/controlplane"
	"github.com/tinykube/tinykube/realnode/httpapi"
)

// membershipFlags find a server of the cluster and the join token: --server
// (or the kubeconfig), --token (or DATA_DIR/token of this machine's server).
type membershipFlags struct {
	dataDir, token string
}

func (f *membershipFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dataDir, "data-dir", defaultDataDir(), "the local server's data directory, whose token file is used when --token is not given")
	cmd.Flags().StringVar(&f.token, "token", "", "the join token (default: the contents of DATA_DIR/token)")
}

// client returns a membership client for the first server of --server or
// the kubeconfig.
func (f *membershipFlags) client(c *cli) (controlplane.MembershipClient, error) {
	servers, _, cc, err := c.findServer()
	if err != nil {
		return controlplane.MembershipClient{}, err
	}
	token := f.token
	if token == "" {
		if token, err = controlplane.ReadToken(f.dataDir); err != nil {
			return controlplane.MembershipClient{}, fmt.Errorf("no join token: %v\n(pass --token, or --data-dir of a server of the cluster)", err)
		}
	}
	server, _, _ := strings.Cut(servers, ",")
	mc := controlplane.MembershipClient{Server: server, Token: token}
	if len(cc.CAData) > 0 {
		// The kubeconfig's CA verifies the server; without one, the
		// join token's hash pins it.
		if mc.TLS, err = (httpapi.ClientConfig{CAData: cc.CAData}).TLS(); err != nil {
			return controlplane.MembershipClient{}, err
		}
	}
	return mc, nil
}

func (c *cli) membersCommand() *cobra.Command {
	var f membershipFlags
	cmd := &cobra.Command{
		Use:   "members",
		Short: "List the etcd members of the control plane, with their health",
		Long: `List the members of the embedded etcd cluster, one per server, as the server
named by --server (or the kubeconfig) sees them: name, ID, addresses, whether the
member answers, and which one is the etcd leader. A member that is not healthy
for long is a dead server: remove it (tinykube server remove-member NAME) before
joining its replacement.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			mc, err := f.client(c)
			if err != nil {
				return err
			}
			l, err := mc.Members(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 8, 3, ' ', 0)
			fmt.Fprintln(tw, "NAME\tID\tSTATUS\tLEADER\tAPI\tPEER\tCLIENT")
			for _, m := range l.Members {
				status := "Healthy"
				switch {
				case !m.Started:
					status = "NotStarted"
				case !m.Healthy:
					status = "Unhealthy"
				case m.Learner:
					status = "Learner"
				}
				name := m.Name
				if name == "" {
					name = "<none>"
				}
				if m.Self {
					name += "*"
				}
				leader := ""
				if m.Leader {
					leader = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", name, m.ID, status, leader, orNone(m.APIURL), orNone(strings.Join(m.PeerURLs, ",")), orNone(strings.Join(m.ClientURLs, ",")))
			}
			tw.Flush()
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func (c *cli) removeMemberCommand() *cobra.Command {
	var f membershipFlags
	cmd := &cobra.Command{
		Use:   "remove-member NAME",
		Short: "Remove a server's etcd member from the control plane",
		Long: `Remove the etcd member NAME (or its hex ID, for a member that never started)
from the cluster, and forget its server's address. Do this for a server that is
dead for good, before joining its replacement with an empty data directory; stop
a live server before removing it (its etcd stops when it learns it was removed).
Ask another server than the one removed (--server).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			mc, err := f.client(c)
			if err != nil {
				return err
			}
			if err := mc.RemoveMember(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "member %s removed\n", args[0])
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
