package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

func (c *cli) setCommand() *cobra.Command {
	set := &cobra.Command{
		Use:   "set SUBCOMMAND",
		Short: "Set specific features on objects (image)",
		Args:  cobra.NoArgs,
	}
	set.AddCommand(c.setImageCommand())
	return set
}

func (c *cli) setImageCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "image KIND/NAME CONTAINER=IMAGE...",
		Short: "Update the image of containers in a Deployment's or ReplicaSet's pod template",
		Long: `Update container images of a pod template; "*" names every container.

  tinykube set image deploy/web web=nginx:1.27
  tinykube set image deploy web '*=busybox:1.37'`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, name, more, err := workloadTarget(args)
			if err != nil {
				return err
			}
			images := map[string]string{}
			for _, a := range more {
				k, v, ok := strings.Cut(a, "=")
				if !ok || k == "" || v == "" {
					return fmt.Errorf("%q is not CONTAINER=IMAGE", a)
				}
				images[k] = v
			}
			if len(images) == 0 {
				return fmt.Errorf("at least one image update is required")
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			return c.setImage(cmd, cl, res, ns, name, images)
		},
	}
}

// workloadTarget reads "KIND/NAME more..." or "KIND NAME more..." for a
// Deployment or ReplicaSet and returns the remaining arguments.
func workloadTarget(args []string) (*api.Resource, string, []string, error) {
	res, name, more, err := kindNameArgs(args)
	if err == nil && !scalable[res.Plural] {
		err = fmt.Errorf("%s/%s: tinykube works on deployments and replicasets here", res.Plural, name)
	}
	return res, name, more, err
}

// kindNameArgs reads "KIND/NAME more..." or "KIND NAME more...".
func kindNameArgs(args []string) (*api.Resource, string, []string, error) {
	var kind, name string
	var more []string
	if k, n, ok := strings.Cut(args[0], "/"); ok {
		kind, name, more = k, n, args[1:]
	} else if len(args) >= 2 {
		kind, name, more = args[0], args[1], args[2:]
	} else {
		return nil, "", nil, fmt.Errorf("give the object as KIND/NAME or KIND NAME")
	}
	res, err := api.LookupResource(kind)
	if err != nil {
		return nil, "", nil, err
	}
	if name == "" {
		return nil, "", nil, fmt.Errorf("%s: give the object's name", args[0])
	}
	return res, name, more, nil
}

// setImage rewrites the images of the named containers and sends the
// whole container list as a merge patch (merge patch replaces lists, so
// the list must be complete).
func (c *cli) setImage(cmd *cobra.Command, cl *client.Client, res *api.Resource, ns, name string, images map[string]string) error {
	obj, err := client.Dynamic(cl, res).Get(cmd.Context(), ns, name)
	if err != nil {
		return err
	}
	var tmpl *api.PodTemplateSpec
	switch o := obj.(type) {
	case *api.Deployment:
		tmpl = &o.Spec.Template
	case *api.ReplicaSet:
		tmpl = &o.Spec.Template
	}
	containers, inits := tmpl.Spec.Containers, tmpl.Spec.InitContainers
	changed := false
	for want, image := range images {
		found := false
		for _, list := range [][]api.Container{containers, inits} {
			for i := range list {
				if want == "*" || list[i].Name == want {
					found = true
					changed = changed || list[i].Image != image
					list[i].Image = image
				}
			}
		}
		if !found {
			var names []string
			for _, ct := range append(append([]api.Container(nil), containers...), inits...) {
				names = append(names, ct.Name)
			}
			return fmt.Errorf("unable to find container named %q in %s (its containers: %s)", want, kindName(res, name), strings.Join(names, ", "))
		}
	}
	if !changed {
		return nil // kubectl too says nothing when every image is already set
	}
	spec := map[string]any{"containers": containers}
	if len(inits) > 0 {
		spec["initContainers"] = inits
	}
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": spec}}})
	if err != nil {
		return err
	}
	if _, err := client.Dynamic(cl, res).Patch(cmd.Context(), ns, name, rest.ContentMergePatch, patch, "", client.WriteOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s image updated\n", kindName(res, name))
	return nil
}
