package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// runFlags are the flags of run.
type runFlags struct {
	image   string
	port    string
	labels  string
	env     []string
	restart string
	command bool
	dryRun  string
	output  string
}

func (c *cli) runCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run NAME --image=IMAGE [--port=PORT] [--labels=k=v,...] [--env=K=V] [--restart=Always|OnFailure|Never] [-- [COMMAND] [ARG...]]",
		Short: "Create a pod running one container, as kubectl run does",
		Long: `Create a pod named NAME with one container of the same name running IMAGE,
labelled run=NAME unless --labels says otherwise.

  tinykube run web --image=nginx --port=80
  tinykube run once --image=busybox --restart=Never -- echo hello
  tinykube run sh --image=busybox --command -- sh -c 'sleep 3600'
  tinykube run web --image=nginx --dry-run=client -o yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pod, err := podForRun(args[0], args[1:], f)
			if err != nil {
				return err
			}
			if f.dryRun == "client" {
				return printObject(c.stdout, outputOr(f.output, "yaml"), pod)
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			pod.Namespace = ns
			created, err := client.For[*api.Pod](cl).Create(cmd.Context(), pod, client.WriteOptions{DryRun: f.dryRun == "server"})
			if err != nil {
				return err
			}
			if f.output != "" {
				hideManagedFields([]api.Object{created})
				return printObject(c.stdout, f.output, created)
			}
			suffix := ""
			if f.dryRun == "server" {
				suffix = " (server dry run)"
			}
			fmt.Fprintf(c.stdout, "pod/%s created%s\n", created.Name, suffix)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.image, "image", "", "the container image (required)")
	fl.StringVar(&f.port, "port", "", "the port the container exposes")
	fl.StringVarP(&f.labels, "labels", "l", "", "labels of the pod, k=v,... (default run=NAME)")
	fl.StringArrayVar(&f.env, "env", nil, "environment variables K=V of the container (repeatable)")
	fl.StringVar(&f.restart, "restart", "Always", "the pod's restart policy: Always, OnFailure or Never")
	fl.BoolVar(&f.command, "command", false, "the words after -- are the command, not the image's arguments")
	fl.StringVar(&f.dryRun, "dry-run", "none", `"client" prints the pod without sending it, "server" sends it without storing it`)
	fl.StringVarP(&f.output, "output", "o", "", "print the pod as yaml or json instead of a message")
	return cmd
}

func outputOr(o, def string) string {
	if o == "" {
		return def
	}
	return o
}

// podForRun builds the pod of `run NAME --image=IMAGE -- WORDS`. Bad flags
// are reported before anything is sent.
func podForRun(name string, words []string, f runFlags) (*api.Pod, error) {
	if f.image == "" {
		return nil, fmt.Errorf("required flag(s) \"image\" not set")
	}
	switch f.dryRun {
	case "none", "client", "server":
	default:
		return nil, fmt.Errorf(`invalid dry-run value (%s): it must be "none", "server", or "client"`, f.dryRun)
	}
	switch f.output {
	case "", "yaml", "json":
	default:
		return nil, fmt.Errorf("--output must be yaml or json, not %q", f.output)
	}
	restart := api.RestartPolicy(f.restart)
	switch restart {
	case api.RestartAlways, api.RestartOnFailure, "Never":
	default:
		return nil, fmt.Errorf("invalid restart policy: %s: use Always, OnFailure or Never", f.restart)
	}
	labels := map[string]string{"run": name}
	if f.labels != "" {
		labels = map[string]string{}
		for _, kv := range strings.Split(f.labels, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("invalid label spec %q: use key=value", kv)
			}
			labels[k] = v
		}
	}
	ctr := api.Container{Name: name, Image: f.image}
	if f.command {
		ctr.Command = words
	} else {
		ctr.Args = words
	}
	if f.port != "" {
		p, err := strconv.ParseInt(f.port, 10, 32)
		if err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("invalid --port %q: it must be a number between 1 and 65535", f.port)
		}
		ctr.Ports = []api.ContainerPort{{ContainerPort: int32(p)}}
	}
	for _, e := range f.env {
		k, v, ok := strings.Cut(e, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid env %q: use NAME=value", e)
		}
		ctr.Env = append(ctr.Env, api.EnvVar{Name: k, Value: v})
	}
	pod := &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Labels: labels},
		Spec:       api.PodSpec{Containers: []api.Container{ctr}, RestartPolicy: restart},
	}
	api.SetTypeMeta(pod)
	return pod, nil
}
