package main

// `tinykube create configmap|secret`: configuration built on the command
// line from literals, files, directories and env files, as kubectl create
// builds it. The object is assembled here (configMapFrom, secretFrom, …),
// then sent, only checked by the server (--dry-run=server), or only
// printed (--dry-run=client).

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// createFlags are the flags every create subcommand shares.
type createFlags struct {
	dryRun string // none, client, server
	output string // "", yaml, json, name
}

func (f *createFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.dryRun, "dry-run", "none", `"client" only prints the object, "server" has the server check it without storing it`)
	fl.Lookup("dry-run").NoOptDefVal = "client"
	fl.StringVarP(&f.output, "output", "o", "", "print the object as yaml, json or name instead of a message")
}

// check refuses a bad --dry-run or --output before anything is read.
func (f createFlags) check() error {
	switch f.dryRun {
	case "none", "client", "server":
	default:
		return fmt.Errorf(`Invalid dry-run value (%v). Must be "none", "server", or "client".`, f.dryRun)
	}
	switch f.output {
	case "", "yaml", "json", "name":
	default:
		return fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: json,name,yaml", f.output)
	}
	return nil
}

func (c *cli) createCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a ConfigMap or Secret from literals, files or env files",
		Args:  cobra.ArbitraryArgs,
		RunE:  unknownKind("configmap, secret"),
	}
	secret := &cobra.Command{
		Use:   "secret",
		Short: "Create a Secret: generic (from literals, files, env files), tls or docker-registry",
		Args:  cobra.ArbitraryArgs,
		RunE:  unknownKind("generic, tls, docker-registry"),
	}
	secret.AddCommand(c.createSecretGenericCommand(), c.createSecretTLSCommand(), c.createSecretDockerCommand())
	cmd.AddCommand(c.createConfigMapCommand(), secret)
	return cmd
}

// unknownKind answers a create (or create secret) with no known kind:
// help when no kind was named, else an error listing the kinds there are.
func unknownKind(kinds string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return fmt.Errorf("%s cannot create %q: it creates %s (other objects: tinykube apply -f FILE)", cmd.CommandPath(), args[0], kinds)
	}
}

// nameArg is the one NAME of a create subcommand.
func nameArg(cmd *cobra.Command, args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("exactly one NAME is required, got %d\nSee '%s -h' for help and examples", len(args), cmd.CommandPath())
	}
	return args[0], nil
}

func (c *cli) createConfigMapCommand() *cobra.Command {
	var f createFlags
	var src keySources
	cmd := &cobra.Command{
		Use:     "configmap NAME [--from-literal=key=value] [--from-file=[key=]path] [--from-env-file=path] [--dry-run=none|client|server] [-o yaml|json|name]",
		Aliases: []string{"cm"},
		Short:   "Create a ConfigMap from literals, files, directories or env files",
		Long: `Create a ConfigMap. Each --from-literal=key=value adds a key; each
--from-file=path adds a key named after the file (--from-file=key=path names it),
and a directory adds each regular file in it; --from-env-file=path adds the
KEY=VALUE lines of the file (blank lines and # comments are skipped).
File content that is not UTF-8 goes to binaryData.

  tinykube create configmap app --from-literal=mode=fast --from-literal=level=3
  tinykube create configmap nginx --from-file=nginx.conf --from-file=site=./site.conf
  tinykube create configmap conf --from-file=./conf.d/
  tinykube create configmap env --from-env-file=app.env --dry-run=client -o yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameArg(cmd, args)
			if err != nil {
				return err
			}
			if err := f.check(); err != nil {
				return err
			}
			cm, err := configMapFrom(name, src, os.Getenv)
			if err != nil {
				return err
			}
			return c.sendCreated(cmd.Context(), cm, "configmap", f, func(ctx context.Context, cl *client.Client, dry bool) (api.Object, error) {
				created, err := client.For[*api.ConfigMap](cl).Create(ctx, cm, client.WriteOptions{DryRun: dry})
				if err != nil {
					return nil, fmt.Errorf("failed to create configmap: %v", err)
				}
				return created, nil
			})
		},
	}
	src.register(cmd, "configmap")
	f.register(cmd)
	return cmd
}

func (c *cli) createSecretGenericCommand() *cobra.Command {
	var f createFlags
	var src keySources
	var typ string
	cmd := &cobra.Command{
		Use:   "generic NAME [--type=TYPE] [--from-literal=key=value] [--from-file=[key=]path] [--from-env-file=path] [--dry-run=none|client|server] [-o yaml|json|name]",
		Short: "Create a Secret from literals, files, directories or env files",
		Long: `Create a Secret of type Opaque (or --type). Keys come from --from-literal,
--from-file (a file, or every regular file of a directory) and --from-env-file,
as for create configmap. The values are stored as given; describe never shows them.

  tinykube create secret generic db --from-literal=user=app --from-literal=password=s3cret
  tinykube create secret generic keys --from-file=ssh-privatekey=./id_ed25519`,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameArg(cmd, args)
			if err != nil {
				return err
			}
			if err := f.check(); err != nil {
				return err
			}
			s, err := secretFrom(name, typ, src, os.Getenv)
			if err != nil {
				return err
			}
			return c.sendSecret(cmd.Context(), s, f)
		},
	}
	src.register(cmd, "secret")
	cmd.Flags().StringVar(&typ, "type", "", "the type of the Secret (default Opaque)")
	f.register(cmd)
	return cmd
}

func (c *cli) createSecretTLSCommand() *cobra.Command {
	var f createFlags
	var certFile, keyFile string
	cmd := &cobra.Command{
		Use:   "tls NAME --cert=path/to/cert.pem --key=path/to/key.pem [--dry-run=none|client|server] [-o yaml|json|name]",
		Short: "Create a kubernetes.io/tls Secret from a PEM certificate and its private key",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameArg(cmd, args)
			if err != nil {
				return err
			}
			if err := f.check(); err != nil {
				return err
			}
			s, err := tlsSecret(name, certFile, keyFile)
			if err != nil {
				return err
			}
			return c.sendSecret(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&certFile, "cert", "", "path to the PEM-encoded certificate")
	cmd.Flags().StringVar(&keyFile, "key", "", "path to the certificate's PEM-encoded private key")
	f.register(cmd)
	return cmd
}

// dockerFlags are the flags of create secret docker-registry.
type dockerFlags struct {
	username, password, email, server string
	files                             []string
}

func (c *cli) createSecretDockerCommand() *cobra.Command {
	var f createFlags
	var d dockerFlags
	cmd := &cobra.Command{
		Use:   "docker-registry NAME --docker-username=USER --docker-password=PASSWORD [--docker-email=EMAIL] [--docker-server=URL] [--from-file=[key=]path] [--dry-run=none|client|server] [-o yaml|json|name]",
		Short: "Create a kubernetes.io/dockerconfigjson Secret for pulling images from a registry",
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := nameArg(cmd, args)
			if err != nil {
				return err
			}
			if err := f.check(); err != nil {
				return err
			}
			s, err := dockerRegistrySecret(name, d)
			if err != nil {
				return err
			}
			return c.sendSecret(cmd.Context(), s, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&d.username, "docker-username", "", "user name at the registry")
	fl.StringVar(&d.password, "docker-password", "", "password at the registry")
	fl.StringVar(&d.email, "docker-email", "", "email at the registry")
	fl.StringVar(&d.server, "docker-server", "https://index.docker.io/v1/", "the registry's address")
	fl.StringSliceVar(&d.files, "from-file", nil, "take the keys from files instead, [key=]path (e.g. .dockerconfigjson=~/.docker/config.json)")
	f.register(cmd)
	return cmd
}

// register adds the three source flags. --from-file and --from-env-file
// split on commas, --from-literal does not, as in kubectl.
func (s *keySources) register(cmd *cobra.Command, kind string) {
	fl := cmd.Flags()
	fl.StringArrayVar(&s.literals, "from-literal", nil, "a key and its value, key=value (repeatable)")
	fl.StringSliceVar(&s.files, "from-file", nil, "[key=]path: a file's content under its base name (or key); a directory adds each regular file in it (repeatable)")
	fl.StringSliceVar(&s.envFiles, "from-env-file", nil, "a file of KEY=VALUE lines to add to the "+kind+" (repeatable)")
}

// configMapFrom builds the ConfigMap name from src: files first, then
// literals, then env files, as kubectl reads them. A key may appear once.
func configMapFrom(name string, src keySources, getenv func(string) string) (*api.ConfigMap, error) {
	if err := src.check(); err != nil {
		return nil, err
	}
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: name}}
	add := func(k string, v []byte, fromFile bool) error {
		if msgs := api.IsConfigMapKey(k); len(msgs) > 0 {
			return fmt.Errorf("%q is not a valid key name for a ConfigMap: %s", k, strings.Join(msgs, ","))
		}
		if _, ok := cm.Data[k]; ok {
			return fmt.Errorf("cannot add key %q, another key by that name already exists in Data for ConfigMap %q", k, name)
		}
		if _, ok := cm.BinaryData[k]; ok {
			return fmt.Errorf("cannot add key %q, another key by that name already exists in BinaryData for ConfigMap %q", k, name)
		}
		if fromFile && !utf8.Valid(v) {
			if cm.BinaryData == nil {
				cm.BinaryData = map[string][]byte{}
			}
			cm.BinaryData[k] = v
			return nil
		}
		if cm.Data == nil {
			cm.Data = map[string]string{}
		}
		cm.Data[k] = string(v)
		return nil
	}
	if err := addFiles(src.files, add); err != nil {
		return nil, err
	}
	if err := addLiterals(src.literals, add); err != nil {
		return nil, err
	}
	if err := addEnvFiles(src.envFiles, "config", getenv, add); err != nil {
		return nil, err
	}
	api.SetTypeMeta(cm)
	return cm, nil
}

// secretFrom builds the Secret name of type typ ("" leaves it to the
// server, which makes it Opaque) from src: literals first, then files,
// then env files, as kubectl reads them.
func secretFrom(name, typ string, src keySources, getenv func(string) string) (*api.Secret, error) {
	if err := src.check(); err != nil {
		return nil, err
	}
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: name}, Type: typ}
	add := secretAdder(s)
	if err := addLiterals(src.literals, add); err != nil {
		return nil, err
	}
	if err := addFiles(src.files, add); err != nil {
		return nil, err
	}
	if err := addEnvFiles(src.envFiles, "secret", getenv, add); err != nil {
		return nil, err
	}
	api.SetTypeMeta(s)
	return s, nil
}

// secretAdder adds keys to s's data, refusing invalid and repeated keys
// with kubectl's wording.
func secretAdder(s *api.Secret) addFunc {
	return func(k string, v []byte, _ bool) error {
		if msgs := api.IsConfigMapKey(k); len(msgs) > 0 {
			return fmt.Errorf("%q is not valid key name for a Secret %s", k, strings.Join(msgs, ";"))
		}
		if _, ok := s.Data[k]; ok {
			return fmt.Errorf("cannot add key %s, another key by that name already exists", k)
		}
		if s.Data == nil {
			s.Data = map[string][]byte{}
		}
		s.Data[k] = v
		return nil
	}
}

// tlsSecret builds a kubernetes.io/tls Secret, after checking that the
// certificate and the key are PEM and belong together.
func tlsSecret(name, certFile, keyFile string) (*api.Secret, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("key and cert must be specified")
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("Cannot read file %v, %v", certFile, err)
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("Cannot read file %v, %v", keyFile, err)
	}
	if _, err := tls.X509KeyPair(cert, key); err != nil {
		return nil, err
	}
	s := &api.Secret{
		ObjectMeta: api.ObjectMeta{Name: name},
		Type:       api.SecretTypeTLS,
		Data:       map[string][]byte{"tls.crt": cert, "tls.key": key},
	}
	api.SetTypeMeta(s)
	return s, nil
}

// dockerAuth is one registry's entry in a .dockerconfigjson.
type dockerAuth struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Email    string `json:"email,omitempty"`
	Auth     string `json:"auth,omitempty"` // base64 of "username:password"
}

// dockerRegistrySecret builds a kubernetes.io/dockerconfigjson Secret:
// from files when --from-file is given, else one registry's credentials.
func dockerRegistrySecret(name string, d dockerFlags) (*api.Secret, error) {
	if len(d.files) == 0 && (d.username == "" || d.password == "" || d.server == "") {
		return nil, errors.New("either --from-file or the combination of --docker-username, --docker-password and --docker-server is required")
	}
	s := &api.Secret{ObjectMeta: api.ObjectMeta{Name: name}, Type: api.SecretTypeDockerConfigJSON}
	if len(d.files) > 0 {
		if err := addFiles(d.files, secretAdder(s)); err != nil {
			return nil, err
		}
	} else {
		b, err := json.Marshal(struct {
			Auths map[string]dockerAuth `json:"auths"`
		}{map[string]dockerAuth{d.server: {
			Username: d.username, Password: d.password, Email: d.email,
			Auth: base64.StdEncoding.EncodeToString([]byte(d.username + ":" + d.password)),
		}}})
		if err != nil {
			return nil, err
		}
		s.Data = map[string][]byte{".dockerconfigjson": b}
	}
	api.SetTypeMeta(s)
	return s, nil
}

func (c *cli) sendSecret(ctx context.Context, s *api.Secret, f createFlags) error {
	return c.sendCreated(ctx, s, "secret", f, func(ctx context.Context, cl *client.Client, dry bool) (api.Object, error) {
		created, err := client.For[*api.Secret](cl).Create(ctx, s, client.WriteOptions{DryRun: dry})
		if err != nil {
			return nil, fmt.Errorf("failed to create secret %v", err)
		}
		return created, nil
	})
}

// sendCreated sends obj (a kind called singular on the command line)
// through create unless --dry-run=client, and prints the outcome as
// kubectl does: "configmap/app created", "... (dry run)", "... (server
// dry run)", the name alone, or the object. The namespace is the
// connection's; a client dry run names it only when -n was given.
func (c *cli) sendCreated(ctx context.Context, obj api.Object, singular string, f createFlags,
	create func(ctx context.Context, cl *client.Client, dry bool) (api.Object, error)) error {
	meta := obj.GetObjectMeta()
	if f.dryRun == "client" {
		meta.Namespace = c.namespace
	} else {
		cl, ns, err := c.connect()
		if err != nil {
			return err
		}
		meta.Namespace = ns
		if obj, err = create(ctx, cl, f.dryRun == "server"); err != nil {
			return err
		}
	}
	switch f.output {
	case "yaml", "json":
		hideManagedFields([]api.Object{obj})
		return printObject(c.stdout, f.output, obj)
	case "name":
		fmt.Fprintf(c.stdout, "%s/%s\n", singular, obj.GetObjectMeta().Name)
		return nil
	}
	suffix := map[string]string{"client": " (dry run)", "server": " (server dry run)"}[f.dryRun]
	fmt.Fprintf(c.stdout, "%s/%s created%s\n", singular, obj.GetObjectMeta().Name, suffix)
	return nil
}
