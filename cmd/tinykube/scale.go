package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// scalable lists the kinds whose spec.replicas scale may set.
var scalable = map[string]bool{"deployments": true, "replicasets": true}

// scaleKinds are what `scale` can scale: the above and StatefulSets.
var scaleKinds = map[string]bool{"deployments": true, "replicasets": true, "statefulsets": true}

func (c *cli) scaleCommand() *cobra.Command {
	var replicas, current int
	cmd := &cobra.Command{
		Use:   "scale KIND/NAME... | KIND NAME... --replicas N",
		Short: "Set the number of replicas of Deployments, ReplicaSets or StatefulSets",
		Long: `Set spec.replicas of Deployments, ReplicaSets or StatefulSets.

  tinykube scale deploy/web --replicas 5
  tinykube scale deploy web --replicas 0 --current-replicas 5   only if it has 5 now`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if replicas < 0 {
				return fmt.Errorf("the --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			reqs, err := c.parseTargets(cmd.Context(), cl, args)
			if err != nil {
				return err
			}
			failed := false
			for _, rq := range reqs {
				if !scaleKinds[rq.res.Plural] && !hasScale(rq.res) {
					return fmt.Errorf("%s cannot be scaled: tinykube scales deployments, replicasets, statefulsets and custom resources whose definition has a scale subresource", rq.res.Plural)
				}
				if len(rq.names) == 0 {
					return fmt.Errorf("resource(s) were provided, but no name was specified")
				}
				for _, name := range rq.names {
					if err := c.scaleOne(cmd, cl, rq.res, ns, name, replicas, current); err != nil {
						fmt.Fprintln(c.stderr, formatError(err))
						failed = true
					}
				}
			}
			if failed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&replicas, "replicas", -1, "the new number of replicas (required)")
	cmd.Flags().IntVar(&current, "current-replicas", -1, "precondition: scale only if spec.replicas is this now")
	return cmd
}

// scaleOne merge-patches spec.replicas of one object. With a
// --current-replicas precondition the patch carries the resourceVersion
// the precondition was checked against, so a concurrent change makes it
// fail with a Conflict instead of scaling from an unexpected count.
func (c *cli) scaleOne(cmd *cobra.Command, cl *client.Client, res *api.Resource, ns, name string, replicas, current int) error {
	if res.Custom != nil {
		return c.scaleCustom(cmd, cl, res, ns, name, replicas, current)
	}
	r := client.Dynamic(cl, res)
	// With --current-replicas the patch carries the resourceVersion the
	// check was made at. A controller writing status in between makes it
	// conflict; then look again and retry, as kubectl does, so the check
	// is about replicas, not about unrelated writes.
	var err error
	for try := 0; try < 5; try++ {
		patch := map[string]any{"spec": map[string]any{"replicas": replicas}}
		if current >= 0 {
			obj, gerr := r.Get(cmd.Context(), ns, name)
			if gerr != nil {
				return gerr
			}
			have := specReplicas(obj)
			if have != current {
				return fmt.Errorf("Expected replicas to be %d, was %d", current, have)
			}
			patch["metadata"] = map[string]any{"resourceVersion": obj.GetObjectMeta().ResourceVersion}
		}
		body, merr := json.Marshal(patch)
		if merr != nil {
			return merr
		}
		_, err = r.Patch(cmd.Context(), ns, name, rest.ContentMergePatch, body, "", client.WriteOptions{})
		if current >= 0 && api.IsConflict(err) {
			continue
		}
		break
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s scaled\n", kindName(res, name))
	return nil
}

// specReplicas is spec.replicas of a Deployment, ReplicaSet or StatefulSet, 1 when
// unset (the API's default).
func specReplicas(obj api.Object) int {
	var p *int32
	switch o := obj.(type) {
	case *api.Deployment:
		p = o.Spec.Replicas
	case *api.ReplicaSet:
		p = o.Spec.Replicas
	case *api.StatefulSet:
		p = o.Spec.Replicas
	default:
		panic("specReplicas of a " + strconv.Quote(obj.GetTypeMeta().Kind))
	}
	if p == nil {
		return 1
	}
	return int(*p)
}

// hasScale reports whether res is a custom resource whose version serves
// the scale subresource.
func hasScale(res *api.Resource) bool {
	v := res.Custom
	return v != nil && v.Version != nil && v.Version.Subresources != nil && v.Version.Subresources.Scale != nil
}

// scaleCustom scales a custom resource through its scale subresource (an
// autoscaling/v1 Scale), as kubectl does: the definition says which field
// of the object holds the replicas, the server maps the Scale onto it.
// With --current-replicas the patch carries the Scale's resourceVersion.
func (c *cli) scaleCustom(cmd *cobra.Command, cl *client.Client, res *api.Resource, ns, name string, replicas, current int) error {
	ctx := cmd.Context()
	path := client.Path(res, ns, name, "scale")
	patch := map[string]any{"spec": map[string]any{"replicas": replicas}}
	if current >= 0 {
		resp, err := cl.Do(ctx, &rest.Request{Method: http.MethodGet, Path: path})
		if err != nil {
			return err
		}
		var sc struct {
			Metadata api.ObjectMeta `json:"metadata"`
			Spec     struct {
				Replicas int `json:"replicas"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(resp.Body, &sc); err != nil {
			return fmt.Errorf("reading the scale of %s: %v", kindName(res, name), err)
		}
		if sc.Spec.Replicas != current {
			return fmt.Errorf("Expected replicas to be %d, was %d", current, sc.Spec.Replicas)
		}
		patch["metadata"] = map[string]any{"resourceVersion": sc.Metadata.ResourceVersion}
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	if _, err := cl.Do(ctx, &rest.Request{Method: http.MethodPatch, Path: path, ContentType: rest.ContentMergePatch, Body: body}); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s scaled\n", kindName(res, name))
	return nil
}
