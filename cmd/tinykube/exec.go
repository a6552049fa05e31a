package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func (c *cli) execCommand() *cobra.Command {
	var opts api.PodExecOptions
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "exec POD [-c CONTAINER] -- COMMAND [ARGS...]",
		Short: "Run a command in a container and print its output",
		Long: `Run a command in a running container and print its output, exiting with
the command's exit code.

Unlike kubectl exec this is not interactive: there is no stdin and no
terminal (no -i, no -t). The command runs to its end (or --timeout), then
its output, standard output and error together, is printed.`,
		Example: `  tinykube exec web-7d9f-abcde -- cat /etc/hostname
  tinykube exec pod/web-7d9f-abcde -c app -- sh -c 'ls /data'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 {
				return errors.New("give the command after --: tinykube exec POD -- COMMAND [ARGS...]")
			}
			if dash != 1 {
				return fmt.Errorf("give one pod before --, not %q", args[:dash])
			}
			opts.Command = args[dash:]
			if len(opts.Command) == 0 {
				return errors.New("you must specify at least one command for the container")
			}
			name, err := podArg(args[0])
			if err != nil {
				return err
			}
			if timeout > 0 {
				opts.TimeoutSeconds = int64(math.Ceil(timeout.Seconds()))
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			res, err := client.PodExec(cmd.Context(), cl, ns, name, opts)
			if err != nil {
				return err
			}
			io.WriteString(c.stdout, res.Output)
			if res.ExitCode != 0 {
				return exitError{code: res.ExitCode}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Container, "container", "c", "", "the container to run in (needed when the pod has several)")
	f.DurationVar(&timeout, "timeout", 0, "stop the command after this long, in whole seconds (0: the node's default, a minute)")
	return cmd
}
