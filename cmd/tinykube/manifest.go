package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"sigs.k8s.io/yaml"
)

// manifest is one object read from a file, still in the user's own JSON so
// the server sees every field they wrote.
type manifest struct {
	source string // "deploy.yaml" or "deploy.yaml (document 2)"
	json   []byte
	// apiVersion and kind say what the object is; res is where it goes,
	// resolved through the server's discovery before use (see
	// cli.resolve), as a custom resource's kind is not known here.
	apiVersion, kind string
	res              *api.Resource
	name             string
	namespace        string
}

// readManifests reads every object from the given files, directories
// (their .yaml, .yml and .json files) and "-" (standard input).
// Multi-document YAML and List objects are split into their items.
func readManifests(paths []string, stdin io.Reader) ([]manifest, error) {
	var out []manifest
	for _, p := range paths {
		files, err := expand(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			var data []byte
			if f == "-" {
				data, err = io.ReadAll(stdin)
			} else {
				data, err = os.ReadFile(f)
			}
			if err != nil {
				return nil, fmt.Errorf("reading %s: %v", f, err)
			}
			name := f
			if f == "-" {
				name = "STDIN"
			}
			ms, err := parseManifests(name, data)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no objects passed to apply (the files hold no documents)")
	}
	return out, nil
}

func expand(p string) ([]string, error) {
	if p == "-" {
		return []string{p}, nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("the path %q does not exist", p)
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
			files = append(files, filepath.Join(p, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("the directory %q has no .yaml, .yml or .json files", p)
	}
	return files, nil
}

// parseManifests splits a file into its objects.
func parseManifests(source string, data []byte) ([]manifest, error) {
	docs := splitYAML(data)
	var out []manifest
	for i, doc := range docs {
		where := source
		if len(docs) > 1 {
			where = fmt.Sprintf("%s (document %d)", source, i+1)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: not valid YAML or JSON: %v", where, err)
		}
		if t := bytes.TrimSpace(js); len(t) == 0 || string(t) == "null" {
			continue // an empty document
		}
		items, err := splitList(where, js)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			m, err := identify(where, it)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// splitYAML cuts a YAML stream at its "---" document separators.
func splitYAML(data []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") && strings.TrimSpace(strings.SplitN(line[3:], "#", 2)[0]) == "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
			cur.Reset()
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
	}
	docs = append(docs, cur.Bytes())
	var nonEmpty [][]byte
	for _, d := range docs {
		if len(bytes.TrimSpace(d)) > 0 {
			nonEmpty = append(nonEmpty, d)
		}
	}
	return nonEmpty
}

// splitList returns the items of a List object, or the object itself.
func splitList(where string, js []byte) ([][]byte, error) {
	var head struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return nil, fmt.Errorf("%s: expected an object with apiVersion and kind: %v", where, err)
	}
	if head.Kind != "List" && !strings.HasSuffix(head.Kind, "List") {
		return [][]byte{js}, nil
	}
	out := make([][]byte, len(head.Items))
	for i, it := range head.Items {
		out[i] = it
	}
	return out, nil
}

// identify reads what an object is and where it goes.
func identify(where string, js []byte) (manifest, error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name         string `json:"name"`
			GenerateName string `json:"generateName"`
			Namespace    string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return manifest{}, fmt.Errorf("%s: %v", where, err)
	}
	if head.APIVersion == "" || head.Kind == "" {
		return manifest{}, fmt.Errorf("%s: the object has no apiVersion or kind; every manifest needs both (e.g. apiVersion: apps/v1, kind: Deployment)", where)
	}
	return manifest{source: where, json: js, apiVersion: head.APIVersion, kind: head.Kind, name: head.Metadata.Name, namespace: head.Metadata.Namespace}, nil
}

// resolve finds where m goes through the server's discovery, setting
// m.res, or says which kind the server does not serve.
func (c *cli) resolve(ctx context.Context, cl *client.Client, m *manifest) error {
	rs, err := c.discover(ctx, cl)
	if err != nil {
		return err
	}
	if m.res = rs.For(m.apiVersion, m.kind); m.res == nil {
		return fmt.Errorf("%s: resource mapping not found for name: %q: no matches for kind %q in version %q\nensure CRDs are installed first (see `tinykube api-resources`)", m.source, m.name, m.kind, m.apiVersion)
	}
	return nil
}
