package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/core/rest"
)

// lastApplied is the annotation holding the manifest last applied. It is
// kubectl's own, so kubectl and tinykube can apply to the same objects.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func (c *cli) applyCommand() *cobra.Command {
	var files []string
	var strict bool
	cmd := &cobra.Command{
		Use:   "apply -f FILE|DIR|-",
		Short: "Create or update objects from manifests (YAML or JSON, several per file)",
		Long: `Create the objects in the manifests, or update them to match when they exist.

An update changes the fields the manifest sets, and removes the fields that the
previous apply set and this manifest no longer does; fields set by others (a
controller, tinykube scale) are left alone. Fields tinykube does not know or does
not implement are reported as warnings; --strict refuses them instead (the
server refuses unknown and repeated fields; the fields it knows but does not
implement are checked here, since Kubernetes' strict validation accepts known
fields).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				return fmt.Errorf("must specify -f FILE (a file, a directory, or - for standard input)")
			}
			ms, err := readManifests(files, c.stdin)
			if err != nil {
				return err
			}
			cl, ns, err := c.connect()
			if err != nil {
				return err
			}
			opts := client.WriteOptions{}
			if strict {
				opts.FieldValidation = "Strict"
			}
			failed := 0
			ms = definitionsFirst(ms)
			defined := map[string]string{} // "group/Kind" -> CRD name, applied in this run
			for _, m := range ms {
				err := c.resolveApplied(cmd.Context(), cl, &m, defined)
				if err == nil {
					err = refuseNotImplemented(strict, m)
				}
				if err == nil {
					err = c.applyOne(cmd, cl, ns, m, opts)
				}
				if err == nil && m.res.Kind == "CustomResourceDefinition" && m.res.Custom == nil {
					rememberDefinition(m, defined)
				}
				if err != nil {
					fmt.Fprintln(c.stderr, formatError(err))
					failed++
				}
			}
			if failed > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "a manifest file, a directory of them, or - for standard input (repeatable)")
	cmd.Flags().BoolVar(&strict, "strict", false, "refuse fields tinykube does not know or implement, instead of warning")
	return cmd
}

// applyOne creates or patches one object and prints what happened, as
// kubectl does ("deployment.apps/web created").
func (c *cli) applyOne(cmd *cobra.Command, cl *client.Client, defaultNS string, m manifest, opts client.WriteOptions) error {
	ns := ""
	if m.res.Namespaced {
		ns = m.namespace
		if ns == "" {
			ns = defaultNS
		} else if c.namespace != "" && c.namespace != ns {
			return fmt.Errorf("%s: the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation", m.source, ns, c.namespace, ns)
		}
	}
	if m.name == "" {
		return fmt.Errorf("%s: apply needs metadata.name (generateName is for create)", m.source)
	}
	modified, err := withAnnotation(m.json, lastApplied, m.json)
	if err != nil {
		return fmt.Errorf("%s: %v", m.source, err)
	}
	r := client.Dynamic(cl, m.res)
	ctx := cmd.Context()
	ref := kindName(m.res, m.name)
	current, err := r.Get(ctx, ns, m.name)
	if api.IsNotFound(err) {
		if _, err := r.CreateRaw(ctx, ns, modified, opts); err != nil {
			return wrapApplyError(err, "creating", m.source)
		}
		fmt.Fprintf(c.stdout, "%s created\n", ref)
		return nil
	}
	if err != nil {
		return wrapApplyError(err, "retrieving current configuration of", m.source)
	}
	patch, err := applyPatch(current, modified)
	if err != nil {
		return fmt.Errorf("%s: %v", m.source, err)
	}
	if string(patch) == "{}" {
		fmt.Fprintf(c.stdout, "%s unchanged\n", ref)
		return nil
	}
	updated, err := r.Patch(ctx, ns, m.name, rest.ContentMergePatch, patch, "", opts)
	if err != nil {
		return wrapApplyError(err, "applying patch to", m.source)
	}
	if updated.GetObjectMeta().ResourceVersion == current.GetObjectMeta().ResourceVersion {
		fmt.Fprintf(c.stdout, "%s unchanged\n", ref)
	} else {
		fmt.Fprintf(c.stdout, "%s configured\n", ref)
	}
	return nil
}

// wrapApplyError keeps a Status error a Status error (so it prints as
// "Error from server (Reason)") while naming the file, as kubectl does.
func wrapApplyError(err error, doing, source string) error {
	if se, ok := err.(*api.StatusError); ok {
		cp := *se
		cp.Status.Message = fmt.Sprintf("error when %s %q: %s", doing, source, se.Status.Message)
		return &cp
	}
	return fmt.Errorf("error when %s %q: %v", doing, source, err)
}

// withAnnotation returns obj with metadata.annotations[key] set to the
// compact JSON of value.
func withAnnotation(obj []byte, key string, value []byte) ([]byte, error) {
	var m map[string]any
	if err := decodeNumbers(obj, &m); err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, value); err != nil {
		return nil, err
	}
	meta, _ := m["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		m["metadata"] = meta
	}
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	ann[key] = compact.String()
	return json.Marshal(m)
}

func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// applyPatch computes the JSON merge patch that takes the live object to
// the new manifest (which carries its own last-applied annotation):
//
//   - every field the manifest sets, where the live object differs;
//   - a null (delete) for every field the previous apply set that the
//     manifest no longer sets;
//   - nothing for fields only others set.
//
// This is kubectl's three-way apply, done with merge-patch semantics (lists
// are replaced whole).
func applyPatch(current api.Object, modified []byte) ([]byte, error) {
	cur, err := json.Marshal(current)
	if err != nil {
		return nil, err
	}
	var curM, modM, origM map[string]any
	if err := decodeNumbers(cur, &curM); err != nil {
		return nil, err
	}
	if err := decodeNumbers(modified, &modM); err != nil {
		return nil, err
	}
	if prev := current.GetObjectMeta().Annotations[lastApplied]; prev != "" {
		if err := decodeNumbers([]byte(prev), &origM); err != nil {
			origM = nil // a corrupt annotation: treat as never applied
		}
	}
	return json.Marshal(threeWay(origM, modM, curM))
}

func threeWay(orig, mod, cur map[string]any) map[string]any {
	p := map[string]any{}
	for k, mv := range mod {
		cv, inCur := cur[k]
		mm, modIsMap := mv.(map[string]any)
		cm, curIsMap := cv.(map[string]any)
		if modIsMap && curIsMap {
			om, _ := orig[k].(map[string]any)
			if sub := threeWay(om, mm, cm); len(sub) > 0 {
				p[k] = sub
			}
			continue
		}
		if inCur && sameJSON(orig[k], mv) && contains(cv, mv) {
			// Unchanged since the last apply, and the live value still
			// says everything the manifest says (the server only added
			// defaults, such as a container's imagePullPolicy): leave it.
			continue
		}
		if !inCur || !sameJSON(mv, cv) {
			p[k] = mv
		}
	}
	for k := range orig {
		if _, keep := mod[k]; !keep {
			if _, inCur := cur[k]; inCur {
				p[k] = nil
			}
		}
	}
	return p
}

// contains reports whether live says at least everything want says:
// objects key by key (live may have more keys), lists element by element
// (same length), and other values equal.
func contains(live, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			lv, ok := l[k]
			if !ok || !contains(lv, v) {
				return false
			}
		}
		return true
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(w) {
			return false
		}
		for i := range w {
			if !contains(l[i], w[i]) {
				return false
			}
		}
		return true
	}
	return sameJSON(live, want)
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// kindName is kubectl's "deployment.apps/web" form.
func kindName(res *api.Resource, name string) string {
	k := res.Singular
	if res.Group != "" {
		k += "." + res.Group
	}
	return k + "/" + name
}

// refuseNotImplemented fails, under --strict, a manifest that sets fields
// tinykube accepts but does not act on. The server only warns about them
// even under fieldValidation=Strict, which in Kubernetes (and for kubectl,
// which sends it by default) concerns unknown and duplicate fields only.
func refuseNotImplemented(strict bool, m manifest) error {
	if !strict || m.res.Custom != nil {
		return nil // a custom resource's fields are its schema's business
	}
	paths, err := api.NotImplemented(m.json, m.res.New())
	if err != nil || len(paths) == 0 {
		return err
	}
	quoted := make([]string, len(paths))
	for i, p := range paths {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	return fmt.Errorf("%s: --strict: fields accepted but not implemented by tinykube: %s", m.source, strings.Join(quoted, ", "))
}
