package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

func (c *cli) logsCommand() *cobra.Command {
	var opts api.PodLogOptions
	var tail int64
	cmd := &cobra.Command{
		Use:   "logs [-f] [-c CONTAINER] [--previous] [--tail N] POD [CONTAINER]",
		Short: "Print the log of a container in a pod, read from its node",
		Example: `  tinykube logs web-7d9f-abcde
  tinykube logs -f pod/web-7d9f-abcde -c app
  tinykube logs --previous --tail 20 web-7d9f-abcde`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := podArg(args[0])
			if err != nil {
				return err
			}
			if len(args) == 2 {
				if opts.Container != "" && opts.Container != args[1] {
					return fmt.Errorf("the container is given twice: -c %s and %s", opts.Container, args[1])
				}
				opts.Container = args[1]
			}
			if tail >= 0 {
				opts.TailLines, opts.HasTail = tail, true
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			r, err := client.PodLogs(cmd.Context(), cl, ns, name, opts)
			if err != nil {
				return err
			}
			defer r.Close()
			if _, err := io.Copy(c.stdout, r); err != nil && cmd.Context().Err() == nil {
				return fmt.Errorf("reading the log of pod %s: %v", name, err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&opts.Follow, "follow", "f", false, "keep printing the log as the container writes it, until it stops")
	f.StringVarP(&opts.Container, "container", "c", "", "the container to read (needed when the pod has several)")
	f.BoolVarP(&opts.Previous, "previous", "p", false, "print the log of the container's previous run, before its last restart")
	f.Int64Var(&tail, "tail", -1, "print only the last N lines (-1: all)")
	f.Int64Var(&opts.LimitBytes, "limit-bytes", 0, "print at most this many bytes (0: no limit)")
	return cmd
}

// podArg reads a pod given as NAME or as KIND/NAME (pod/web, po/web).
func podArg(arg string) (string, error) {
	kind, name, ok := strings.Cut(arg, "/")
	if !ok {
		return arg, nil
	}
	res, err := api.LookupResource(kind)
	if err != nil {
		return "", err
	}
	if res.Kind != "Pod" {
		return "", fmt.Errorf("%s: tinykube reads logs and runs commands in pods; give POD or pod/NAME", arg)
	}
	if name == "" {
		return "", fmt.Errorf("%s: give the pod's name", arg)
	}
	return name, nil
}
