package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// exposeFlags are the flags of expose.
type exposeFlags struct {
	port       int32
	targetPort string
	typ        string
	name       string
	protocol   string
	selector   string
	output     string
	dryRun     string
}

func (c *cli) exposeCommand() *cobra.Command {
	var f exposeFlags
	cmd := &cobra.Command{
		Use:   "expose (deployment|replicaset|pod|service)/NAME [--port P] [--target-port T] [--type TYPE]",
		Short: "Create a Service that selects the pods of a Deployment, ReplicaSet, Pod or Service",
		Long: `Create a Service for an object's pods: its selector is the workload's
spec.selector.matchLabels, the pod's labels, or the service's selector.

  tinykube expose deploy/web --port 80 --target-port 8080
  tinykube expose deploy web --type LoadBalancer          port from the one containerPort
  tinykube expose pod/db --port 5432 --name db-direct
  tinykube expose deploy/web --port 80 -o yaml --dry-run=client`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, name, more, err := kindNameArgs(args)
			if err != nil {
				return err
			}
			if len(more) > 0 {
				return fmt.Errorf("expose takes one object; unexpected arguments %q", more)
			}
			switch f.output {
			case "", "yaml", "json", "name":
			default:
				return fmt.Errorf("--output %q: choose yaml, json or name", f.output)
			}
			switch f.dryRun {
			case "none", "client", "server":
			default:
				return fmt.Errorf("--dry-run=%q: choose none, client or server", f.dryRun)
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			obj, err := client.Dynamic(cl, res).Get(cmd.Context(), ns, name)
			if err != nil {
				return err
			}
			svc, err := serviceFor(obj, kindName(res, name), f)
			if err != nil {
				return err
			}
			svc.Namespace = ns
			if f.dryRun != "client" {
				svc, err = client.For[*api.Service](cl).Create(cmd.Context(), svc, client.WriteOptions{DryRun: f.dryRun == "server"})
				if err != nil {
					return err
				}
			}
			switch f.output {
			case "yaml", "json":
				hideManagedFields([]api.Object{svc})
				return printObject(c.stdout, f.output, svc)
			case "name":
				fmt.Fprintf(c.stdout, "service/%s\n", svc.Name)
			default:
				fmt.Fprintf(c.stdout, "service/%s exposed%s\n", svc.Name, dryRunSuffix(f.dryRun))
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.Int32Var(&f.port, "port", 0, "the port the service serves on (default: the pod template's one containerPort, or the service's ports)")
	fl.StringVar(&f.targetPort, "target-port", "", "the pods' port, a number or a port name (default: the same as --port)")
	fl.StringVar(&f.typ, "type", api.ServiceClusterIP, "ClusterIP, NodePort or LoadBalancer")
	fl.StringVar(&f.name, "name", "", "the service's name (default: the object's)")
	fl.StringVar(&f.protocol, "protocol", "", "TCP, UDP or SCTP (default: the container port's, else TCP)")
	fl.StringVarP(&f.selector, "selector", "l", "", "select these labels (k=v,...) instead of the object's")
	fl.StringVarP(&f.output, "output", "o", "", "print the service as yaml, json or name")
	fl.StringVar(&f.dryRun, "dry-run", "none", "client: only print the service; server: have the server check it without storing it")
	fl.Lookup("dry-run").NoOptDefVal = "client"
	return cmd
}

func dryRunSuffix(mode string) string {
	if mode == "client" || mode == "server" {
		return " (dry run)"
	}
	return ""
}

// serviceFor builds the Service that exposes obj (called what in messages),
// as kubectl expose does.
func serviceFor(obj api.Object, what string, f exposeFlags) (*api.Service, error) {
	switch f.typ {
	case api.ServiceClusterIP, api.ServiceNodePort, api.ServiceLoadBalancer:
	default:
		return nil, fmt.Errorf("--type %q: choose ClusterIP, NodePort or LoadBalancer", f.typ)
	}
	var (
		selector  map[string]string
		template  *api.PodSpec
		fromPorts []api.ServicePort // a service's ports, copied when --port is not given
	)
	matchLabels := func(sel *api.LabelSelector) (map[string]string, error) {
		if sel == nil || len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
			return nil, nil
		}
		if len(sel.MatchExpressions) > 0 {
			return nil, fmt.Errorf("%s selects its pods with matchExpressions, which a Service's selector (labels only) cannot express: give the labels to select with --selector k=v,...", what)
		}
		return sel.MatchLabels, nil
	}
	var err error
	switch o := obj.(type) {
	case *api.Deployment:
		selector, err = matchLabels(o.Spec.Selector)
		template = &o.Spec.Template.Spec
	case *api.ReplicaSet:
		selector, err = matchLabels(o.Spec.Selector)
		template = &o.Spec.Template.Spec
	case *api.Pod:
		selector, template = o.Labels, &o.Spec
	case *api.Service:
		selector, fromPorts = o.Spec.Selector, o.Spec.Ports
	default:
		return nil, fmt.Errorf("cannot expose %s: tinykube exposes deployments, replicasets, pods and services", what)
	}
	if err != nil && f.selector == "" {
		return nil, err
	}
	if f.selector != "" {
		if selector, err = parseLabelMap(f.selector); err != nil {
			return nil, fmt.Errorf("--selector: %v", err)
		}
	}
	if len(selector) == 0 {
		return nil, fmt.Errorf("%s has no labels to select its pods by: give them with --selector k=v,...", what)
	}

	meta := obj.GetObjectMeta()
	svc := &api.Service{
		TypeMeta:   api.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: api.ObjectMeta{Name: f.name, Labels: meta.Labels},
		Spec:       api.ServiceSpec{Type: f.typ, Selector: selector},
	}
	if svc.Name == "" {
		svc.Name = meta.Name
	}
	if f.typ == api.ServiceClusterIP {
		svc.Spec.Type = "" // as kubectl writes it; the server defaults it
	}
	ports, err := exposedPorts(what, template, fromPorts, f)
	if err != nil {
		return nil, err
	}
	svc.Spec.Ports = ports
	return svc, nil
}

// exposedPorts picks the service's ports: --port (with --target-port, or
// the same number), else the pod template's only containerPort, else the
// exposed service's ports.
func exposedPorts(what string, template *api.PodSpec, fromPorts []api.ServicePort, f exposeFlags) ([]api.ServicePort, error) {
	proto := api.Protocol(strings.ToUpper(f.protocol))
	switch proto {
	case "", api.ProtocolTCP, "UDP", "SCTP":
	default:
		return nil, fmt.Errorf("--protocol %q: choose TCP, UDP or SCTP", f.protocol)
	}
	target := func(port int32) api.IntOrString {
		if f.targetPort == "" {
			return api.FromInt(port)
		}
		if n, err := strconv.Atoi(f.targetPort); err == nil {
			return api.FromInt(int32(n))
		}
		return api.FromString(f.targetPort)
	}
	or := func(p, def api.Protocol) api.Protocol {
		if p != "" {
			return p
		}
		if def != "" {
			return def
		}
		return api.ProtocolTCP
	}
	if f.port != 0 {
		if f.port < 1 || f.port > 65535 {
			return nil, fmt.Errorf("--port %d: a port is between 1 and 65535", f.port)
		}
		return []api.ServicePort{{Port: f.port, TargetPort: target(f.port), Protocol: or(proto, "")}}, nil
	}
	if template == nil {
		if len(fromPorts) == 0 {
			return nil, fmt.Errorf("%s has no ports to copy: give one with --port", what)
		}
		var out []api.ServicePort
		for _, p := range fromPorts {
			out = append(out, api.ServicePort{Name: p.Name, Port: p.Port, TargetPort: p.TargetPort, Protocol: or(proto, p.Protocol)})
		}
		return out, nil
	}
	var found []api.ContainerPort
	var desc []string
	for _, ct := range template.Containers {
		for _, p := range ct.Ports {
			found = append(found, p)
			desc = append(desc, fmt.Sprintf("%s:%d", ct.Name, p.ContainerPort))
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%s declares no containerPort, so the port cannot be guessed: give one with --port", what)
	case 1:
		p := found[0].ContainerPort
		return []api.ServicePort{{Port: p, TargetPort: target(p), Protocol: or(proto, found[0].Protocol)}}, nil
	}
	sort.Strings(desc)
	return nil, fmt.Errorf("%s declares %d container ports (%s): choose the one to expose with --port (and --target-port if it differs)", what, len(found), strings.Join(desc, ", "))
}

// parseLabelMap reads "k=v,k2=v2".
func parseLabelMap(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", kv)
		}
		out[k] = v
	}
	return out, nil
}
