package controlplane

import (
	"context"
	"fmt"
	"io"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// RewriteResult counts what Rewrite did.
type RewriteResult struct {
	Rewritten int // objects written back
	Conflicts int // writes retried because the object changed meanwhile
	Gone      int // objects deleted before they could be rewritten
}

// rewriteAttempts bounds the retries of one object that keeps changing.
const rewriteAttempts = 10

// Rewrite writes every object of res (all namespaces) back through the
// API unchanged, page by page, printing progress to out. The API server
// re-encrypts each with its first provider: this is the "rewrite every
// Secret" step of a key rotation (kubectl get secrets -A -o json |
// kubectl replace -f -). An object changed meanwhile is read again and
// retried; one deleted meanwhile is skipped.
func Rewrite(ctx context.Context, cl *client.Client, res *api.Resource, out io.Writer) (RewriteResult, error) {
	var r RewriteResult
	h := client.Dynamic(cl, res)
	opts := client.ListOptions{Limit: 250}
	for {
		l, err := h.List(ctx, "", opts)
		if err != nil {
			return r, fmt.Errorf("listing %s: %v", res.Plural, err)
		}
		for _, obj := range l.Items {
			if err := rewriteOne(ctx, h, obj, &r); err != nil {
				m := obj.GetObjectMeta()
				return r, fmt.Errorf("rewriting %s %s/%s (after %d rewritten): %v", res.Singular, m.Namespace, m.Name, r.Rewritten, err)
			}
			if r.Rewritten%100 == 0 && r.Rewritten > 0 {
				fmt.Fprintf(out, "%s: %d rewritten...\n", res.Plural, r.Rewritten)
			}
		}
		if l.Continue == "" {
			break
		}
		opts.Continue = l.Continue
	}
	fmt.Fprintf(out, "%s: %d rewritten (%d retried after a conflict, %d deleted meanwhile)\n", res.Plural, r.Rewritten, r.Conflicts, r.Gone)
	return r, nil
}

// rewriteOne writes obj back, re-reading it after each conflict.
func rewriteOne(ctx context.Context, h client.Resource[api.Object], obj api.Object, r *RewriteResult) error {
	m := obj.GetObjectMeta()
	ns, name := m.Namespace, m.Name
	for attempt := 0; ; attempt++ {
		_, err := h.Update(ctx, obj, client.WriteOptions{})
		switch {
		case err == nil:
			r.Rewritten++
			return nil
		case api.IsNotFound(err):
			r.Gone++
			return nil
		case !api.IsConflict(err) || attempt == rewriteAttempts-1:
			return err
		}
		r.Conflicts++
		if obj, err = h.Get(ctx, ns, name); api.IsNotFound(err) {
			r.Gone++
			return nil
		} else if err != nil {
			return err
		}
	}
}
