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

// Cluster is where a server is, and the CA that signed its certificate.
type Cluster struct {
	Server string `json:"server"`
	// CertificateAuthorityData is the CA certificate (PEM; base64 in the
	// file, as kubectl writes it); CertificateAuthority a file holding it.
	CertificateAuthority     string           `json:"certificate-authority,omitempty"`
	CertificateAuthorityData []byte           `json:"certificate-authority-data,omitempty"`
	Extensions               []NamedExtension `json:"extensions,omitempty"`
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

// User holds credentials: a client certificate and its key (PEM, inline
// or in files), or a bearer token.
type User struct {
	ClientCertificate     string `json:"client-certificate,omitempty"`
	ClientCertificateData []byte `json:"client-certificate-data,omitempty"`
	ClientKey             string `json:"client-key,omitempty"`
	ClientKeyData         []byte `json:"client-key-data,omitempty"`
	Token                 string `json:"token,omitempty"`
}

// Credentials are what a client needs to reach the current context's
// cluster: the CA that verifies the server, and who the client is.
type Credentials struct {
	CAData            []byte // PEM
	CertData, KeyData []byte // PEM client certificate and key
	Token             string // bearer token
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
	// File references are relative to the kubeconfig's directory, as
	// kubectl resolves them.
	dir := filepath.Dir(path)
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i := range c.Clusters {
		abs(&c.Clusters[i].Cluster.CertificateAuthority)
	}
	for i := range c.Users {
		abs(&c.Users[i].User.ClientCertificate)
		abs(&c.Users[i].User.ClientKey)
	}
	return &c, nil
}

// SetCredentials puts caPEM in every cluster and user's credentials in
// every user, so the file verifies the server and proves who its user is.
func (c *Config) SetCredentials(caPEM []byte, user User) {
	for i := range c.Clusters {
		c.Clusters[i].Cluster.CertificateAuthorityData = caPEM
	}
	for i := range c.Users {
		c.Users[i].User = user
	}
}

// CurrentCredentials returns the CA of the current context's cluster and
// the credentials of its user, reading the files they name.
func (c *Config) CurrentCredentials() (Credentials, error) {
	ctx := c.currentContext()
	if ctx == nil {
		return Credentials{}, fmt.Errorf("current context %q is not defined", c.CurrentContext)
	}
	var cr Credentials
	read := func(inline []byte, file, what string) ([]byte, error) {
		if len(inline) > 0 || file == "" {
			return inline, nil
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading the %s of context %q: %v", what, c.CurrentContext, err)
		}
		return b, nil
	}
	var err error
	for _, cl := range c.Clusters {
		if cl.Name == ctx.Cluster {
			if cr.CAData, err = read(cl.Cluster.CertificateAuthorityData, cl.Cluster.CertificateAuthority, "certificate-authority"); err != nil {
				return Credentials{}, err
			}
		}
	}
	for _, u := range c.Users {
		if u.Name != ctx.User {
			continue
		}
		if cr.CertData, err = read(u.User.ClientCertificateData, u.User.ClientCertificate, "client-certificate"); err != nil {
			return Credentials{}, err
		}
		if cr.KeyData, err = read(u.User.ClientKeyData, u.User.ClientKey, "client-key"); err != nil {
			return Credentials{}, err
		}
		cr.Token = u.User.Token
	}
	if (len(cr.CertData) > 0) != (len(cr.KeyData) > 0) {
		return Credentials{}, fmt.Errorf("user %q of context %q has a client certificate without its key, or a key without its certificate: give both", ctx.User, c.CurrentContext)
	}
	return cr, nil
}

func (c *Config) currentContext() *Context {
	for i := range c.Contexts {
		if c.Contexts[i].Name == c.CurrentContext {
			return &c.Contexts[i].Context
		}
	}
	return nil
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
	ctx := c.currentContext()
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
