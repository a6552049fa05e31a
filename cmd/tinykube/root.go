package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/httpapi"
	"github.com/tinykube/tinykube/realnode/kubeconfig"
)

// version is tinykube's release, reported by `tinykube version` and /version.
const version = "v0.1.0"

// cli holds the global flags and the streams every command writes to.
type cli struct {
	server     string
	kubeconfig string
	namespace  string
	// resources is what the server's discovery said, once asked (see
	// discover).
	resources *api.ResourceSet

	stdin          io.Reader
	stdout, stderr io.Writer
}

// run executes the command line and returns the process exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is run under ctx: cancelling it is a Ctrl-C.
func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr}
	root := c.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		fmt.Fprintln(stderr, formatError(err))
		return 1
	}
	return 0
}

// exitError ends the process with a code after its message was printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// formatError words an error as kubectl does: "Error from server (Reason):
// message" for API errors, "error: message" for the rest.
func formatError(err error) string {
	var se *api.StatusError
	if errors.As(err, &se) {
		reason := se.Status.Reason
		if reason == "" {
			reason = "Unknown"
		}
		return fmt.Sprintf("Error from server (%s): %s", reason, err.Error())
	}
	return "error: " + err.Error()
}

func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tinykube",
		Short: "tinykube: a small Kubernetes-style orchestrator you can read, simulate and run",
		Long: `tinykube is a teaching and reference implementation of a Kubernetes-style
container orchestrator. One binary runs the server, and talks to it like kubectl.

Start a server:   tinykube server
Then use it:      tinykube apply -f deploy.yaml && tinykube get deploy`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&c.server, "server", "s", "", "the address of the API server (e.g. https://127.0.0.1:6443; the kubeconfig's CA and credentials are used with it), or of several servers of one cluster, comma-separated, tried in turn")
	pf.StringVar(&c.kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default: $KUBECONFIG, then ~/.tinykube/kubeconfig)")
	pf.StringVarP(&c.namespace, "namespace", "n", "", "the namespace of this request (default: the kubeconfig context's, else \"default\")")
	root.AddCommand(
		c.serverCommand(),
		c.applyCommand(),
		c.createCommand(),
		c.getCommand(),
		c.describeCommand(),
		c.deleteCommand(),
		c.scaleCommand(),
		c.exposeCommand(),
		c.runCommand(),
		c.setCommand(),
		c.rolloutCommand(),
		c.logsCommand(),
		c.topCommand(),
		c.execCommand(),
		c.versionCommand(),
		c.tokenCommand(),
		c.apiResourcesCommand(),
		c.explainCommand(),
		c.benchCommand(),
		c.simCommand(),
		c.upCommand(),
		c.agentCommand(),
		c.imageCommand(),
		c.operatorCommand(),
		c.encryptionCommand(),
	)
	return root
}

// connect returns a client for the API server and the namespace to use,
// found as kubectl finds them: --server, then --kubeconfig, then
// $KUBECONFIG, then the kubeconfig a local tinykube server wrote.
func (c *cli) connect() (*client.Client, string, error) {
	server, ns, cc, err := c.findServer()
	if err != nil {
		return nil, "", err
	}
	if c.namespace != "" {
		ns = c.namespace
	}
	if ns == "" {
		ns = "default"
	}
	tr, err := httpapi.NewTransportConfig(server, cc)
	if err != nil {
		return nil, "", fmt.Errorf("%v.\nPass --kubeconfig FILE with the kubeconfig the server wrote (DATA_DIR/kubeconfig, or ~/.tinykube/kubeconfig on its machine): it holds the cluster's CA and your credentials", err)
	}
	cl := client.New(tr)
	cl.UserAgent = "tinykube"
	cl.OnWarning = func(w string) { fmt.Fprintf(c.stderr, "Warning: %s\n", w) }
	return cl, ns, nil
}

// findServer returns the servers (comma-separated), the namespace and
// the credentials to use: --server overrides the kubeconfig's servers,
// whose CA and user credentials are still used when a kubeconfig is found
// (as kubectl does).
func (c *cli) findServer() (server, namespace string, cc httpapi.ClientConfig, err error) {
	path, from := c.kubeconfig, "--kubeconfig"
	if path == "" {
		// Like kubectl, take $KUBECONFIG as a list; the first file that
		// exists is used (tinykube does not merge several).
		for _, p := range filepath.SplitList(os.Getenv("KUBECONFIG")) {
			if _, err := os.Stat(p); err == nil || path == "" {
				path, from = p, "$KUBECONFIG"
				if err == nil {
					break
				}
			}
		}
	}
	if path == "" {
		if path, err = kubeconfig.DefaultPath(); err != nil && c.server == "" {
			return "", "", cc, err
		}
		from = "the local server's kubeconfig"
	}
	cfg, err := kubeconfig.Load(path)
	if errors.Is(err, os.ErrNotExist) && c.server != "" && from != "--kubeconfig" {
		return c.server, "", cc, nil // --server alone: no credentials
	}
	if errors.Is(err, os.ErrNotExist) {
		return "", "", cc, fmt.Errorf("no server to talk to: %s %s does not exist.\nStart one with `tinykube server`, or name one with --server URL or --kubeconfig FILE", from, path)
	}
	if err != nil {
		return "", "", cc, err
	}
	servers, namespace, err := cfg.CurrentServers()
	if err != nil {
		return "", "", cc, fmt.Errorf("%s (%s): %v", path, from, err)
	}
	cred, err := cfg.CurrentCredentials()
	if err != nil {
		return "", "", cc, fmt.Errorf("%s (%s): %v", path, from, err)
	}
	cc = httpapi.ClientConfig{CAData: cred.CAData, CertData: cred.CertData, KeyData: cred.KeyData, Token: cred.Token}
	if c.server != "" {
		return c.server, namespace, cc, nil
	}
	return strings.Join(servers, ","), namespace, cc, nil
}

func (c *cli) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the client's version and, when one is reachable, the server's",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(c.stdout, "Client Version: %s\n", version)
			cl, _, err := c.connect()
			if err != nil {
				return nil
			}
			resp, err := cl.Do(cmd.Context(), versionRequest())
			if err != nil {
				fmt.Fprintf(c.stdout, "Server Version: unreachable (%v)\n", err)
				return nil
			}
			fmt.Fprintf(c.stdout, "Server Version: %s\n", serverVersion(resp.Body))
			return nil
		},
	}
}
