package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	deploy "github.com/tinykube/tinykube/core/controller/deployment"
	"github.com/tinykube/tinykube/core/rest"
)

// restartedAtAnnotation is what `rollout restart` writes; kubectl's own,
// so the two agree.
const restartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// statusPoll is how often rollout status reads the Deployment again.
const statusPoll = 500 * time.Millisecond

func (c *cli) rolloutCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rollout SUBCOMMAND",
		Short: "Follow, list, undo, pause, resume and restart the rollouts of a Deployment",
		Long: `Manage the rollout of a Deployment.

  tinykube rollout status deploy/web        wait until the rollout is done
  tinykube rollout history deploy/web       list the revisions
  tinykube rollout undo deploy/web          go back to the previous revision
  tinykube rollout pause|resume deploy/web  stop and restart rolling out
  tinykube rollout restart deploy/web       replace every pod, same template`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(c.rolloutStatusCommand(), c.rolloutHistoryCommand(), c.rolloutUndoCommand(),
		c.rolloutPauseCommand(true), c.rolloutPauseCommand(false), c.rolloutRestartCommand())
	return cmd
}

// deploymentArg reads "deploy/NAME" or "deploy NAME" and refuses other kinds.
func deploymentArg(args []string) (*api.Resource, string, error) {
	res, name, more, err := kindNameArgs(args)
	if err != nil {
		return nil, "", err
	}
	if res.Plural != "deployments" {
		return nil, "", fmt.Errorf("no rollout for %s: tinykube rolls out deployments", res.Plural)
	}
	if len(more) > 0 {
		return nil, "", fmt.Errorf("unexpected arguments %q: give one deployment", more)
	}
	return res, name, nil
}

// deploymentCommand is the shape every rollout subcommand shares: one
// deployment argument, a connected client, the Deployment's resource.
func (c *cli) deploymentCommand(use, short string, run func(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use + " deploy/NAME",
		Short: short,
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, name, err := deploymentArg(args)
			if err != nil {
				return err
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			return run(cmd.Context(), cl, res, ns, name)
		},
	}
}

func (c *cli) rolloutStatusCommand() *cobra.Command {
	var watch bool
	var timeout time.Duration
	cmd := c.deploymentCommand("status", "Follow a Deployment's rollout until it is done, failed or timed out",
		func(ctx context.Context, cl *client.Client, _ *api.Resource, ns, name string) error {
			return c.rolloutStatus(ctx, cl, ns, name, watch, timeout)
		})
	cmd.Flags().BoolVarP(&watch, "watch", "w", true, "follow the rollout; false prints the status once")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "give up after this long (0: never)")
	return cmd
}

// rolloutStatus prints the Deployment's progress each time it changes,
// reading it every statusPoll, until deploymentStatus says it is done
// or failed, or the timeout passes.
func (c *cli) rolloutStatus(ctx context.Context, cl *client.Client, ns, name string, watch bool, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	timedOut := func() error {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("timed out waiting for the condition")
		}
		return ctx.Err()
	}
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	last := ""
	for {
		d, err := client.For[*api.Deployment](cl).Get(ctx, ns, name)
		if err != nil {
			if ctx.Err() != nil {
				return timedOut()
			}
			return err
		}
		msg, done, err := deploymentStatus(d)
		if err != nil {
			return err
		}
		if msg != last {
			fmt.Fprint(c.stdout, msg)
			last = msg
		}
		if done || !watch {
			return nil
		}
		select {
		case <-ctx.Done():
			return timedOut()
		case <-tick.C:
		}
	}
}

// deploymentStatus words d's rollout as kubectl's DeploymentStatusViewer
// does. It judges only a status the controller computed for the current
// generation; a Progressing condition of ProgressDeadlineExceeded is an
// error.
func deploymentStatus(d *api.Deployment) (msg string, done bool, err error) {
	if d.Generation > d.Status.ObservedGeneration {
		return "Waiting for deployment spec update to be observed...\n", false, nil
	}
	for _, cond := range d.Status.Conditions {
		if cond.Type == deploy.Progressing && cond.Reason == deploy.ReasonProgressDeadlineExceeded {
			return "", false, fmt.Errorf("deployment %q exceeded its progress deadline", d.Name)
		}
	}
	st := d.Status
	if want := int32(specReplicas(d)); st.UpdatedReplicas < want {
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...\n", d.Name, st.UpdatedReplicas, want), false, nil
	}
	if st.Replicas > st.UpdatedReplicas {
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...\n", d.Name, st.Replicas-st.UpdatedReplicas), false, nil
	}
	if st.AvailableReplicas < st.UpdatedReplicas {
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...\n", d.Name, st.AvailableReplicas, st.UpdatedReplicas), false, nil
	}
	return fmt.Sprintf("deployment %q successfully rolled out\n", d.Name), true, nil
}

// history returns the Deployment and the ReplicaSets it controls that
// carry a revision, oldest revision first.
func history(ctx context.Context, cl *client.Client, ns, name string) (*api.Deployment, []*api.ReplicaSet, error) {
	d, err := client.For[*api.Deployment](cl).Get(ctx, ns, name)
	if err != nil {
		return nil, nil, err
	}
	l, err := client.For[*api.ReplicaSet](cl).List(ctx, ns, client.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	var rss []*api.ReplicaSet
	for _, rs := range l.Items {
		if rs.IsControlledBy(d.UID) && deploy.Revision(rs) > 0 {
			rss = append(rss, rs)
		}
	}
	sort.Slice(rss, func(i, j int) bool { return deploy.Revision(rss[i]) < deploy.Revision(rss[j]) })
	return d, rss, nil
}

func (c *cli) rolloutHistoryCommand() *cobra.Command {
	var revision int64
	cmd := c.deploymentCommand("history", "List a Deployment's revisions, or show one's pod template",
		func(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string) error {
			_, rss, err := history(ctx, cl, ns, name)
			if err != nil {
				return err
			}
			if revision > 0 {
				for _, rs := range rss {
					if deploy.Revision(rs) == revision {
						fmt.Fprintf(c.stdout, "%s with revision #%d\n", kindName(res, name), revision)
						printTemplate(c.stdout, &rs.Spec.Template)
						return nil
					}
				}
				return fmt.Errorf("unable to find the specified revision")
			}
			fmt.Fprintf(c.stdout, "%s \n", kindName(res, name))
			if len(rss) == 0 {
				fmt.Fprintln(c.stdout, "No rollout history found.")
				return nil
			}
			w := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
			fmt.Fprintln(w, "REVISION\tCHANGE-CAUSE")
			for _, rs := range rss {
				cause := rs.Annotations[deploy.ChangeCauseAnnotation]
				if cause == "" {
					cause = "<none>"
				}
				fmt.Fprintf(w, "%d\t%s\n", deploy.Revision(rs), cause)
			}
			w.Flush()
			fmt.Fprintln(c.stdout)
			return nil
		})
	cmd.Flags().Int64Var(&revision, "revision", 0, "show the pod template of this revision")
	return cmd
}

// printTemplate writes a pod template as kubectl's history --revision does.
func printTemplate(w io.Writer, t *api.PodTemplateSpec) {
	fmt.Fprintln(w, "Pod Template:")
	keyed := func(title string, m map[string]string) {
		if len(m) == 0 {
			fmt.Fprintf(w, "  %s:\t<none>\n", title)
			return
		}
		for i, k := range slices.Sorted(maps.Keys(m)) {
			if i == 0 {
				fmt.Fprintf(w, "  %s:\t%s=%s\n", title, k, m[k])
			} else {
				fmt.Fprintf(w, "\t%s=%s\n", k, m[k])
			}
		}
	}
	keyed("Labels", t.Labels)
	if len(t.Annotations) > 0 {
		keyed("Annotations", t.Annotations)
	}
	fmt.Fprintln(w, "  Containers:")
	for _, ct := range t.Spec.Containers {
		fmt.Fprintf(w, "   %s:\n    Image:\t%s\n", ct.Name, ct.Image)
		var ports []string
		for _, p := range ct.Ports {
			proto := p.Protocol
			if proto == "" {
				proto = "TCP"
			}
			ports = append(ports, fmt.Sprintf("%d/%s", p.ContainerPort, proto))
		}
		if len(ports) == 0 {
			ports = []string{"<none>"}
		}
		fmt.Fprintf(w, "    Port:\t%s\n", strings.Join(ports, ", "))
	}
	fmt.Fprintln(w)
}

func (c *cli) rolloutUndoCommand() *cobra.Command {
	var to int64
	cmd := c.deploymentCommand("undo", "Roll a Deployment back to its previous revision, or to --to-revision",
		func(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string) error {
			return c.undo(ctx, cl, res, ns, name, to)
		})
	cmd.Flags().Int64Var(&to, "to-revision", 0, "the revision to roll back to (0: the previous one)")
	return cmd
}

// undo copies a revision's pod template, less the pod-template-hash label
// the controller adds, into the Deployment. The JSON patch tests the
// resourceVersion it read, so a concurrent change fails instead of being
// rolled over; the controller then finds the old ReplicaSet by hash and
// gives it the next revision.
func (c *cli) undo(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string, to int64) error {
	d, rss, err := history(ctx, cl, ns, name)
	if err != nil {
		return err
	}
	if d.Spec.Paused {
		return fmt.Errorf("you cannot rollback a paused deployment; resume it first with 'tinykube rollout resume %s' and try again", kindName(res, name))
	}
	var target *api.ReplicaSet
	if to == 0 {
		if len(rss) < 2 {
			return fmt.Errorf("no rollout history found for deployment %q", name)
		}
		target = rss[len(rss)-2]
	} else {
		for _, rs := range rss {
			if deploy.Revision(rs) == to {
				target = rs
			}
		}
		if target == nil {
			return fmt.Errorf("unable to find specified revision %d in history", to)
		}
	}
	tmpl := api.DeepCopy(target).Spec.Template
	delete(tmpl.Labels, deploy.PodTemplateHashLabel)
	if equalJSON(tmpl, d.Spec.Template) {
		fmt.Fprintf(c.stdout, "%s skipped rollback (current template already matches revision %d)\n", kindName(res, name), deploy.Revision(target))
		return nil
	}
	patch, err := json.Marshal([]map[string]any{
		{"op": "test", "path": "/metadata/resourceVersion", "value": d.ResourceVersion},
		{"op": "replace", "path": "/spec/template", "value": tmpl},
	})
	if err != nil {
		return err
	}
	if _, err := client.Dynamic(cl, res).Patch(ctx, ns, name, rest.ContentJSONPatch, patch, "", client.WriteOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s rolled back\n", kindName(res, name))
	return nil
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// rolloutPauseCommand is pause (pause true) or resume (pause false).
func (c *cli) rolloutPauseCommand(pause bool) *cobra.Command {
	verb, short := "resume", "Resume a paused Deployment: the controller rolls out again"
	if pause {
		verb, short = "pause", "Pause a Deployment: template changes wait until it is resumed"
	}
	return c.deploymentCommand(verb, short,
		func(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string) error {
			d, err := client.For[*api.Deployment](cl).Get(ctx, ns, name)
			if err != nil {
				return err
			}
			if d.Spec.Paused == pause {
				return fmt.Errorf("%s.%s %q is already %sd", res.Plural, res.Group, name, verb)
			}
			patch := fmt.Sprintf(`{"spec":{"paused":%t}}`, pause)
			if _, err := client.Dynamic(cl, res).Patch(ctx, ns, name, rest.ContentMergePatch, []byte(patch), "", client.WriteOptions{}); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s %sd\n", kindName(res, name), verb)
			return nil
		})
}

func (c *cli) rolloutRestartCommand() *cobra.Command {
	return c.deploymentCommand("restart", "Replace every pod of a Deployment by a rollout of the same template",
		func(ctx context.Context, cl *client.Client, res *api.Resource, ns, name string) error {
			d, err := client.For[*api.Deployment](cl).Get(ctx, ns, name)
			if err != nil {
				return err
			}
			if d.Spec.Paused {
				return fmt.Errorf("can't restart paused deployment (run rollout resume first)")
			}
			patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{"annotations": map[string]string{restartedAtAnnotation: time.Now().Format(time.RFC3339)}}}}})
			if err != nil {
				return err
			}
			if _, err := client.Dynamic(cl, res).Patch(ctx, ns, name, rest.ContentMergePatch, patch, "", client.WriteOptions{}); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s restarted\n", kindName(res, name))
			return nil
		})
}
