package kubeconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"sigs.k8s.io/yaml"
)

// Config is the subset of a kubeconfig file tinykube reads and writes.
type Config struct {
	APIVersion     string         `json:"apiVersion"`
	Kind           string         `json:"kind"`
	Clusters       []NamedCluster `json:"clusters"`
	Contexts       []NamedContext `json:"contexts"`
	Users          []NamedUser    `json:"users"`
	CurrentContext string         `json:"current-context"`
}

// NamedCluster is a server address under a name.
type NamedCluster struct {
	Name    string  `json:"name"`
	Cluster Cluster `json:"cluster"`
}

// Cluster is where a server is.
type Cluster struct {
	Server     string           `json:"server"`
	Extensions []NamedExtension `json:"extensions,omitempty"`
}

// NamedExtension is a kubeconfig extension under a name.
type NamedExtension struct {
	Name      string           `json:"name"`
	Extension ServersExtension `json:"extension"`
}

// ServersExtension lists every API server of a cluster, so clients can
// fail over from one to the next.
type ServersExtension struct {
	APIVersion string   `json:"apiVersion,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Servers    []string `json:"servers,omitempty"`
}

// NamedContext joins a cluster, a user and a default namespace.
type NamedContext struct {
	Name    string  `json:"name"`
	Context Context `json:"context"`
}

// Context is a cluster, a user and a default namespace.
type Context struct {
	Cluster   string `json:"cluster"`
	User      string `json:"user"`
	Namespace string `json:"namespace,omitempty"`
}

// NamedUser is a user's credentials under a name.
type NamedUser struct {
	Name string `json:"name"`
	User User   `json:"user"`
}

// User holds credentials. tinykube serves plain HTTP on loopback for now;
// the token is kept for when authentication lands.
type User struct {
	Token string `json:"token,omitempty"`
}

// New returns a kubeconfig with one cluster "tinykube" at server.
func New(server string) *Config {
	return &Config{
		APIVersion:     "v1",
		Kind:           "Config",
		Clusters:       []NamedCluster{{Name: "tinykube", Cluster: Cluster{Server: server}}},
		Contexts:       []NamedContext{{Name: "tinykube", Context: Context{Cluster: "tinykube", User: "tinykube", Namespace: "default"}}},
		Users:          []NamedUser{{Name: "tinykube"}},
		CurrentContext: "tinykube",
	}
}

// Load reads a kubeconfig file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is not a valid kubeconfig: %v", path, err)
	}
	return &c, nil
}

// Write saves c to path atomically, readable only by its owner.
func Write(path string, c *Config) error {
	b, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Current returns the server URL and default namespace of the current
// context.
func (c *Config) Current() (server, namespace string, err error) {
	var ctx *Context
	for i := range c.Contexts {
		if c.Contexts[i].Name == c.CurrentContext {
			ctx = &c.Contexts[i].Context
		}
	}
	if ctx == nil {
		return "", "", fmt.Errorf("current context %q is not defined", c.CurrentContext)
	}
	for _, cl := range c.Clusters {
		if cl.Name == ctx.Cluster {
			return cl.Cluster.Server, ctx.Namespace, nil
		}
	}
	return "", "", fmt.Errorf("cluster %q of context %q is not defined", ctx.Cluster, c.CurrentContext)
}

// DefaultPath is where a local tinykube server leaves its kubeconfig for
// the CLI to find: $HOME/.tinykube/kubeconfig.
func DefaultPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("cannot find the home directory to locate ~/.tinykube/kubeconfig: set --server or --kubeconfig")
	}
	return filepath.Join(home, ".tinykube", "kubeconfig"), nil
}

// serversExtension names the cluster extension that lists every server of
// a highly available cluster. kubectl keeps extensions it does not know
// and uses the one "server"; tinykube tries each in turn.
const serversExtension = "tinykube.io/servers"

// SetServers makes servers[0] the server of every cluster and records all
// of them in the cluster's servers extension (none for a single server).
func (c *Config) SetServers(servers []string) {
	for i := range c.Clusters {
		cl := &c.Clusters[i].Cluster
		cl.Server = servers[0]
		cl.Extensions = slices.DeleteFunc(cl.Extensions, func(e NamedExtension) bool { return e.Name == serversExtension })
		if len(servers) > 1 {
			cl.Extensions = append(cl.Extensions, NamedExtension{Name: serversExtension,
				Extension: ServersExtension{APIVersion: "tinykube.io/v1", Kind: "Servers", Servers: servers}})
		}
	}
}

// CurrentServers is Current with every server of the current cluster: its
// server first, then the others its servers extension lists.
func (c *Config) CurrentServers() (servers []string, namespace string, err error) {
	server, namespace, err := c.Current()
	if err != nil {
		return nil, "", err
	}
	servers = []string{server}
	for _, cl := range c.Clusters {
		if cl.Cluster.Server != server {
			continue
		}
		for _, e := range cl.Cluster.Extensions {
			if e.Name != serversExtension {
				continue
			}
			for _, s := range e.Extension.Servers {
				if s != "" && !slices.Contains(servers, s) {
					servers = append(servers, s)
				}
			}
		}
		break
	}
	return servers, namespace, nil
}
