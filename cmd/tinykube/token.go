package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/apiserver"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
	"github.com/tinykube/tinykube/realnode/pki"
)

// Bootstrap tokens, as kubeadm keeps them: Secret
// kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token,
// with token-id, token-secret, expiration (RFC 3339), description and
// usage-bootstrap-authentication / usage-bootstrap-signing. The API
// server authenticates "<id>.<secret>" against it as
// system:bootstrap:<id> in system:bootstrappers. A join token is
// K10<hash of the cluster CA>::<id>.<secret>.

const bootstrapTokenPrefix = apiserver.BootstrapTokenSecretPrefix

var (
	tokenIDRE   = regexp.MustCompile(`^[a-z0-9]{6}$`)
	bootstrapRE = regexp.MustCompile(`^([a-z0-9]{6})\.([a-z0-9]{16})$`)
)

func (c *cli) tokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage bootstrap tokens, with which agents join the cluster",
		Long: `Bootstrap tokens let a new node join: 'tinykube agent --server URL --token TOKEN'.
Each is a Secret in kube-system, as kubeadm keeps them; the token printed by
'create' also carries the hash of the cluster's CA, so that the agent can check
it is talking to this cluster before it sends the token's secret.`,
	}
	var ttl time.Duration
	var description, caFile string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a bootstrap token and print the join token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			caPEM, err := c.clusterCA(caFile)
			if err != nil {
				return err
			}
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			tok, err := createBootstrapToken(cmd.Context(), cl, ttl, description, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(c.stdout, pki.JoinToken{CAHash: pki.Hash(caPEM), Secret: tok}.String())
			return nil
		},
	}
	create.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "how long the token is valid (0: forever)")
	create.Flags().StringVar(&description, "description", "", "a note on what the token is for")
	create.Flags().StringVar(&caFile, "ca-cert", "", "the cluster CA certificate (default: the kubeconfig's certificate-authority-data)")
	list := &cobra.Command{
		Use:   "list",
		Short: "List bootstrap tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			return listBootstrapTokens(cmd.Context(), cl, c.stdout, time.Now())
		},
	}
	del := &cobra.Command{
		Use:   "delete ID [ID...]",
		Short: "Delete bootstrap tokens (by id, id.secret or a whole join token)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, _, err := c.connect()
			if err != nil {
				return err
			}
			for _, a := range args {
				id, err := tokenID(a)
				if err != nil {
					return err
				}
				_, err = client.For[*api.Secret](cl).Delete(cmd.Context(), "kube-system", bootstrapTokenPrefix+id, client.DeleteOptions{})
				if api.IsNotFound(err) {
					return fmt.Errorf("bootstrap token %q not found (see 'tinykube token list')", id)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(c.stdout, "bootstrap token %q deleted\n", id)
			}
			return nil
		},
	}
	cmd.AddCommand(create, list, del)
	return cmd
}

// createBootstrapToken draws an id and a secret (crypto/rand), stores
// them as a bootstrap-token Secret valid for ttl from now (0: forever)
// and returns "<id>.<secret>".
func createBootstrapToken(ctx context.Context, cl *client.Client, ttl time.Duration, description string, now time.Time) (string, error) {
	id, err := randomToken(6)
	if err != nil {
		return "", err
	}
	secret, err := randomToken(16)
	if err != nil {
		return "", err
	}
	data := map[string][]byte{
		"token-id":                       []byte(id),
		"token-secret":                   []byte(secret),
		"usage-bootstrap-authentication": []byte("true"),
		"usage-bootstrap-signing":        []byte("true"),
	}
	if ttl > 0 {
		data["expiration"] = []byte(now.Add(ttl).UTC().Format(time.RFC3339))
	}
	if description != "" {
		data["description"] = []byte(description)
	}
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: bootstrapTokenPrefix + id, Namespace: "kube-system"},
		Type: api.SecretTypeBootstrapToken, Data: data}
	if _, err := client.For[*api.Secret](cl).Create(ctx, s, client.WriteOptions{}); err != nil {
		return "", fmt.Errorf("storing the bootstrap token: %v", err)
	}
	return id + "." + secret, nil
}

// randomToken draws n characters of [a-z0-9] from crypto/rand.
func randomToken(n int) (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("drawing a token: %v", err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}

// listBootstrapTokens prints the bootstrap tokens as kubeadm does, with
// the token's id in place of the token.
func listBootstrapTokens(ctx context.Context, cl *client.Client, out io.Writer, now time.Time) error {
	secrets, err := client.For[*api.Secret](cl).List(ctx, "kube-system", client.ListOptions{})
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, "TOKEN ID\tTTL\tEXPIRES\tUSAGES\tDESCRIPTION")
	for _, s := range secrets.Items {
		if s.Type != api.SecretTypeBootstrapToken || !strings.HasPrefix(s.Name, bootstrapTokenPrefix) {
			continue
		}
		ttl, expires := "<forever>", "<never>"
		if e := string(s.Data["expiration"]); e != "" {
			expires = e
			if t, err := time.Parse(time.RFC3339, e); err != nil || !t.After(now) {
				ttl = "<invalid>"
			} else {
				ttl = humanTTL(t.Sub(now))
			}
		}
		var usages []string
		for _, u := range []string{"authentication", "signing"} {
			if string(s.Data["usage-bootstrap-"+u]) == "true" {
				usages = append(usages, u)
			}
		}
		desc := string(s.Data["description"])
		if desc == "" {
			desc = "<none>"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", strings.TrimPrefix(s.Name, bootstrapTokenPrefix), ttl, expires, strings.Join(usages, ","), desc)
	}
	return w.Flush()
}

// humanTTL rounds a remaining time as kubeadm shows it: "23h", "59m",
// "30s".
func humanTTL(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d.Round(time.Hour)/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d.Round(time.Minute)/time.Minute))
	}
	return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
}

// tokenID takes "abcdef", "abcdef.0123456789abcdef" or a whole join
// token, and returns the id.
func tokenID(s string) (string, error) {
	if t, err := pki.ParseJoinToken(s); err == nil {
		s = t.Secret
	}
	if m := bootstrapRE.FindStringSubmatch(s); m != nil {
		return m[1], nil
	}
	if tokenIDRE.MatchString(s) {
		return s, nil
	}
	return "", fmt.Errorf("%q is not a bootstrap token id ([a-z0-9]{6}), nor id.secret", s)
}

// clusterCA returns the cluster's CA certificate: file when given, else
// the current cluster's certificate-authority-data (or
// certificate-authority file) of the kubeconfig.
func (c *cli) clusterCA(file string) ([]byte, error) {
	if file != "" {
		return os.ReadFile(file)
	}
	path := c.kubeconfig
	if path == "" {
		for _, p := range filepath.SplitList(os.Getenv("KUBECONFIG")) {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		var err error
		if path, err = kubeconfig.DefaultPath(); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig for the cluster CA: %v (or pass --ca-cert DATA_DIR/pki/ca.crt)", err)
	}
	ca, err := kubeconfigCA(b, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %v (or pass --ca-cert DATA_DIR/pki/ca.crt)", path, err)
	}
	return ca, nil
}

// kubeconfigCA reads the current context's cluster CA from a kubeconfig:
// certificate-authority-data, or the certificate-authority file
// (relative to dir).
func kubeconfigCA(b []byte, dir string) ([]byte, error) {
	type namedContext struct {
		Name    string `json:"name"`
		Context struct {
			Cluster string `json:"cluster"`
		} `json:"context"`
	}
	var kc struct {
		CurrentContext string         `json:"current-context"`
		Contexts       []namedContext `json:"contexts"`
		Clusters       []struct {
			Name    string `json:"name"`
			Cluster struct {
				CAData string `json:"certificate-authority-data"`
				CAFile string `json:"certificate-authority"`
			} `json:"cluster"`
		} `json:"clusters"`
	}
	if err := yaml.Unmarshal(b, &kc); err != nil {
		return nil, fmt.Errorf("not a kubeconfig: %v", err)
	}
	i := slices.IndexFunc(kc.Contexts, func(x namedContext) bool { return x.Name == kc.CurrentContext })
	if i < 0 {
		return nil, fmt.Errorf("current context %q is not defined", kc.CurrentContext)
	}
	for _, cl := range kc.Clusters {
		if cl.Name != kc.Contexts[i].Context.Cluster {
			continue
		}
		switch {
		case cl.Cluster.CAData != "":
			return base64.StdEncoding.DecodeString(cl.Cluster.CAData)
		case cl.Cluster.CAFile != "":
			p := cl.Cluster.CAFile
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			return os.ReadFile(p)
		}
		return nil, errors.New("the current cluster has no certificate-authority-data")
	}
	return nil, fmt.Errorf("cluster %q is not defined", kc.Contexts[i].Context.Cluster)
}
