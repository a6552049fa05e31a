package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tinykube/tinykube/core/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// keyFiles writes the files the source tests read and returns their
// directory: two plain files, a directory of two files and a subdirectory
// (skipped), a binary file, and env files.
func keyFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"nginx.conf":     "server {}\n",
		"conf.d/a.conf":  "a\n",
		"conf.d/b.conf":  "b\n",
		"conf.d/sub/c":   "skipped\n",
		"bin.dat":        "\xff\xfe",
		"bad key":        "x",
		"app.env":        "\xef\xbb\xbf# a comment\n\n  MODE=fast\nURL=http://x/?a=b\nEMPTY=\nFROM_ENV\n",
		"bad.env":        "1ST=x\n",
		"dup.env":        "A=1\nA=2\n",
		"dir.env/keep":   "",
		"other/a.conf":   "other a\n",
		"other/nginx.sh": "#!/bin/sh\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func getenv(k string) string { return map[string]string{"FROM_ENV": "from the environment"}[k] }

const badKeyMsg = `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`

func TestConfigMapFrom(t *testing.T) {
	dir := keyFiles(t)
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name    string
		src     keySources
		data    map[string]string
		binary  map[string][]byte
		wantErr string
	}{
		{name: "literals, = in a value, empty value",
			src:  keySources{literals: []string{"mode=fast", "url=http://x/?a=b", "empty="}},
			data: map[string]string{"mode": "fast", "url": "http://x/?a=b", "empty": ""}},
		{name: "a file under its base name and under a key",
			src:  keySources{files: []string{in("nginx.conf"), "site=" + in("conf.d/a.conf")}},
			data: map[string]string{"nginx.conf": "server {}\n", "site": "a\n"}},
		{name: "a directory adds its regular files only",
			src:  keySources{files: []string{in("conf.d")}},
			data: map[string]string{"a.conf": "a\n", "b.conf": "b\n"}},
		{name: "non-UTF-8 file content goes to binaryData",
			src:    keySources{files: []string{in("bin.dat")}, literals: []string{"k=v"}},
			data:   map[string]string{"k": "v"},
			binary: map[string][]byte{"bin.dat": {0xff, 0xfe}}},
		{name: "env file: BOM, comments, blank lines, leading blanks, a key without =",
			src:  keySources{envFiles: []string{in("app.env")}},
			data: map[string]string{"MODE": "fast", "URL": "http://x/?a=b", "EMPTY": "", "FROM_ENV": "from the environment"}},
		{name: "no source is an empty ConfigMap", src: keySources{}},

		{name: "duplicate literal", src: keySources{literals: []string{"a=1", "a=2"}},
			wantErr: `cannot add key "a", another key by that name already exists in Data for ConfigMap "cm"`},
		{name: "literal repeats a file's key", src: keySources{files: []string{in("nginx.conf")}, literals: []string{"nginx.conf=x"}},
			wantErr: `cannot add key "nginx.conf", another key by that name already exists in Data for ConfigMap "cm"`},
		{name: "literal repeats a binary key", src: keySources{files: []string{in("bin.dat")}, literals: []string{"bin.dat=x"}},
			wantErr: `cannot add key "bin.dat", another key by that name already exists in BinaryData for ConfigMap "cm"`},
		{name: "two directories with one file name", src: keySources{files: []string{in("conf.d"), in("other")}},
			wantErr: `cannot add key "a.conf", another key by that name already exists in Data for ConfigMap "cm"`},
		{name: "duplicate key in an env file", src: keySources{envFiles: []string{in("dup.env")}},
			wantErr: `cannot add key "A", another key by that name already exists in Data for ConfigMap "cm"`},
		{name: "invalid literal key", src: keySources{literals: []string{"a b=1"}},
			wantErr: `"a b" is not a valid key name for a ConfigMap: ` + badKeyMsg},
		{name: "literal key ..", src: keySources{literals: []string{"..=1"}},
			wantErr: `".." is not a valid key name for a ConfigMap: must not be '..'`},
		{name: "invalid file name as key", src: keySources{files: []string{in("bad key")}},
			wantErr: `"bad key" is not a valid key name for a ConfigMap: ` + badKeyMsg},
		{name: "literal without =", src: keySources{literals: []string{"mode"}},
			wantErr: "invalid literal source mode, expected key=value"},
		{name: "literal without key", src: keySources{literals: []string{"=fast"}},
			wantErr: "invalid literal source =fast, expected key=value"},
		{name: "file not found", src: keySources{files: []string{in("missing.conf")}},
			wantErr: "error reading " + in("missing.conf") + ": no such file or directory"},
		{name: "file source without key", src: keySources{files: []string{"=" + in("nginx.conf")}},
			wantErr: "key name for file path " + in("nginx.conf") + " missing"},
		{name: "file source without path", src: keySources{files: []string{"site="}},
			wantErr: "file path for key name site missing"},
		{name: "file source with two =", src: keySources{files: []string{"a=b=c"}},
			wantErr: "key names or file paths cannot contain '='"},
		{name: "a key for a directory", src: keySources{files: []string{"conf=" + in("conf.d")}},
			wantErr: "cannot give a key name for a directory path"},
		{name: "env file not found", src: keySources{envFiles: []string{in("missing.env")}},
			wantErr: "error reading " + in("missing.env") + ": no such file or directory"},
		{name: "env file is a directory", src: keySources{envFiles: []string{in("dir.env")}},
			wantErr: "env config file cannot be a directory"},
		{name: "env file key starts with a digit", src: keySources{envFiles: []string{in("bad.env")}},
			wantErr: `"1ST" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`},
		{name: "env file with a literal", src: keySources{envFiles: []string{in("app.env")}, literals: []string{"a=b"}},
			wantErr: "from-env-file cannot be combined with from-file or from-literal"},
		{name: "env file with a file", src: keySources{envFiles: []string{in("app.env")}, files: []string{in("nginx.conf")}},
			wantErr: "from-env-file cannot be combined with from-file or from-literal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cm, err := configMapFrom("cm", tc.src, getenv)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("configMapFrom = %v, want error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("configMapFrom: %v", err)
			}
			want := &api.ConfigMap{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: api.ObjectMeta{Name: "cm"}, Data: tc.data, BinaryData: tc.binary}
			if diff := cmp.Diff(want, cm); diff != "" {
				t.Errorf("configMapFrom (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretFrom(t *testing.T) {
	dir := keyFiles(t)
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name    string
		typ     string
		src     keySources
		data    map[string]string
		wantErr string
	}{
		{name: "literals and files, binary kept as bytes",
			src:  keySources{literals: []string{"password=s3cret"}, files: []string{in("bin.dat"), "key=" + in("nginx.conf")}},
			data: map[string]string{"password": "s3cret", "bin.dat": "\xff\xfe", "key": "server {}\n"}},
		{name: "a directory", src: keySources{files: []string{in("conf.d")}},
			data: map[string]string{"a.conf": "a\n", "b.conf": "b\n"}},
		{name: "env file", src: keySources{envFiles: []string{in("app.env")}},
			data: map[string]string{"MODE": "fast", "URL": "http://x/?a=b", "EMPTY": "", "FROM_ENV": "from the environment"}},
		{name: "a type", typ: "example.com/token", src: keySources{literals: []string{"token=t"}},
			data: map[string]string{"token": "t"}},

		{name: "duplicate literal", src: keySources{literals: []string{"a=1", "a=2"}},
			wantErr: "cannot add key a, another key by that name already exists"},
		{name: "file repeats a literal's key", src: keySources{literals: []string{"nginx.conf=x"}, files: []string{in("nginx.conf")}},
			wantErr: "cannot add key nginx.conf, another key by that name already exists"},
		{name: "invalid key", src: keySources{literals: []string{"a/b=1"}},
			wantErr: `"a/b" is not valid key name for a Secret ` + badKeyMsg},
		{name: "env file is a directory", src: keySources{envFiles: []string{in("dir.env")}},
			wantErr: "env secret file cannot be a directory"},
		{name: "file not found", src: keySources{files: []string{in("missing")}},
			wantErr: "error reading " + in("missing") + ": no such file or directory"},
		{name: "env file with a literal", src: keySources{envFiles: []string{in("app.env")}, literals: []string{"a=b"}},
			wantErr: "from-env-file cannot be combined with from-file or from-literal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := secretFrom("s", tc.typ, tc.src, getenv)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("secretFrom = %v, want error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("secretFrom: %v", err)
			}
			want := &api.Secret{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: api.ObjectMeta{Name: "s"}, Type: tc.typ, Data: bytesOf(tc.data)}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("secretFrom (-want +got):\n%s", diff)
			}
		})
	}
}

func bytesOf(m map[string]string) map[string][]byte {
	if m == nil {
		return nil
	}
	out := map[string][]byte{}
	for k, v := range m {
		out[k] = []byte(v)
	}
	return out
}

// writeKeyPair writes a self-signed certificate and its key as PEM files.
func writeKeyPair(t *testing.T, dir, prefix string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "example.com"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, prefix+".crt"), filepath.Join(dir, prefix+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestTLSSecret(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeKeyPair(t, dir, "a")
	_, otherKey := writeKeyPair(t, dir, "b")
	for _, tc := range []struct {
		name, cert, key, wantErr string
	}{
		{name: "a matching pair", cert: cert, key: key},
		{name: "no key", cert: cert, wantErr: "key and cert must be specified"},
		{name: "no cert", key: key, wantErr: "key and cert must be specified"},
		{name: "cert missing", cert: filepath.Join(dir, "none.crt"), key: key,
			wantErr: "Cannot read file " + filepath.Join(dir, "none.crt") + ", open " + filepath.Join(dir, "none.crt") + ": no such file or directory"},
		{name: "cert and key swapped", cert: key, key: cert, wantErr: "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched"},
		{name: "key of another certificate", cert: cert, key: otherKey, wantErr: "tls: private key does not match public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tlsSecret("tls", tc.cert, tc.key)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("tlsSecret = %v, want error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("tlsSecret: %v", err)
			}
			cb, _ := os.ReadFile(tc.cert)
			kb, _ := os.ReadFile(tc.key)
			want := &api.Secret{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: api.ObjectMeta{Name: "tls"},
				Type: "kubernetes.io/tls", Data: map[string][]byte{"tls.crt": cb, "tls.key": kb}}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("tlsSecret (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDockerRegistrySecret(t *testing.T) {
	dir := keyFiles(t)
	for _, tc := range []struct {
		name    string
		flags   dockerFlags
		data    map[string]string
		wantErr string
	}{
		{name: "credentials for the default registry",
			flags: dockerFlags{username: "u", password: "p", server: "https://index.docker.io/v1/"},
			data:  map[string]string{".dockerconfigjson": `{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p","auth":"dTpw"}}}`}},
		{name: "with an email and a server",
			flags: dockerFlags{username: "u", password: "p", email: "u@example.com", server: "registry.local:5000"},
			data:  map[string]string{".dockerconfigjson": `{"auths":{"registry.local:5000":{"username":"u","password":"p","email":"u@example.com","auth":"dTpw"}}}`}},
		{name: "from a file", flags: dockerFlags{files: []string{".dockerconfigjson=" + filepath.Join(dir, "nginx.conf")}},
			data: map[string]string{".dockerconfigjson": "server {}\n"}},
		{name: "no password", flags: dockerFlags{username: "u", server: "s"},
			wantErr: "either --from-file or the combination of --docker-username, --docker-password and --docker-server is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := dockerRegistrySecret("reg", tc.flags)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("dockerRegistrySecret = %v, want error %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("dockerRegistrySecret: %v", err)
			}
			want := &api.Secret{TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: api.ObjectMeta{Name: "reg"},
				Type: "kubernetes.io/dockerconfigjson", Data: bytesOf(tc.data)}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("dockerRegistrySecret (-want +got):\n%s", diff)
			}
		})
	}
}

// goldenFile compares got with testdata/name, or rewrites it under -update.
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestCreateCommand runs create configmap and create secret against an API
// server: the messages of each output and dry-run mode, the refusals, and
// what ends up stored.
func TestCreateCommand(t *testing.T) {
	url := memServer(t)
	dir := keyFiles(t)
	cert, key := writeKeyPair(t, dir, "site")
	for _, tc := range []struct {
		args     []string
		wantCode int
		want     string // stdout, or stderr when wantCode != 0
	}{
		{[]string{"create", "configmap", "app", "--from-literal=mode=fast", "--from-file=" + filepath.Join(dir, "nginx.conf")}, 0, "configmap/app created\n"},
		{[]string{"create", "cm", "env", "--from-env-file=" + filepath.Join(dir, "dup.env")}, 1,
			"error: cannot add key \"A\", another key by that name already exists in Data for ConfigMap \"env\"\n"},
		{[]string{"create", "configmap", "app", "--from-literal=mode=slow"}, 1, "error: failed to create configmap: configmaps \"app\" already exists\n"},
		{[]string{"create", "configmap", "dry", "--from-literal=a=b", "--dry-run=client"}, 0, "configmap/dry created (dry run)\n"},
		{[]string{"create", "configmap", "dry", "--from-literal=a=b", "--dry-run"}, 0, "configmap/dry created (dry run)\n"},
		{[]string{"create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server"}, 0, "configmap/dry created (server dry run)\n"},
		{[]string{"create", "configmap", "dry", "--from-literal=a=b", "--dry-run=client", "-n", "team", "-o", "yaml"}, 0,
			"apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: team\n"},
		{[]string{"create", "configmap", "dry", "--from-literal=a=b", "--dry-run=client", "-o", "json"}, 0,
			"{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"ConfigMap\",\n    \"metadata\": {\n        \"name\": \"dry\"\n    },\n    \"data\": {\n        \"a\": \"b\"\n    }\n}\n"},
		{[]string{"create", "configmap", "named", "--from-literal=a=b", "-o", "name"}, 0, "configmap/named\n"},
		{[]string{"create", "configmap", "x", "--dry-run=maybe"}, 1, "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\n"},
		{[]string{"create", "configmap", "x", "-o", "wide"}, 1,
			"error: unable to match a printer suitable for the output format \"wide\", allowed formats are: json,name,yaml\n"},
		{[]string{"create", "deployment", "web"}, 1, "error: tinykube create cannot create \"deployment\": it creates configmap, secret (other objects: tinykube apply -f FILE)\n"},
		{[]string{"create", "secret", "opaque", "x"}, 1, "error: tinykube create secret cannot create \"opaque\": it creates generic, tls, docker-registry (other objects: tinykube apply -f FILE)\n"},
		{[]string{"create", "configmap"}, 1, "error: exactly one NAME is required, got 0\nSee 'tinykube create configmap -h' for help and examples\n"},
		{[]string{"create", "configmap", "a", "b"}, 1, "error: exactly one NAME is required, got 2\nSee 'tinykube create configmap -h' for help and examples\n"},
		{[]string{"create", "configmap", "Bad_Name", "--from-literal=a=b"}, 1, "error: failed to create configmap: ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"},
		{[]string{"create", "configmap", "x", "-n", "nope", "--from-literal=a=b"}, 1, "error: failed to create configmap: namespaces \"nope\" not found\n"},

		{[]string{"create", "secret", "generic", "db", "--from-literal=user=app", "--from-literal=password=s3cret"}, 0, "secret/db created\n"},
		{[]string{"create", "secret", "generic", "db2", "--from-literal=a=1", "--from-literal=a=2"}, 1, "error: cannot add key a, another key by that name already exists\n"},
		{[]string{"create", "secret", "generic", "typed", "--type=kubernetes.io/tls", "--from-literal=a=b"}, 1,
			"error: failed to create secret Secret \"typed\" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]\n"},
		{[]string{"create", "secret", "generic", "dry", "--from-literal=p=s3cret", "--dry-run=client", "-o", "yaml"}, 0,
			"apiVersion: v1\ndata:\n  p: czNjcmV0\nkind: Secret\nmetadata:\n  name: dry\n"},
		{[]string{"create", "secret", "tls", "site", "--cert=" + cert, "--key=" + key}, 0, "secret/site created\n"},
		{[]string{"create", "secret", "tls", "site2", "--cert=" + cert}, 1, "error: key and cert must be specified\n"},
		{[]string{"create", "secret", "docker-registry", "reg", "--docker-username=u", "--docker-password=p", "-o", "name"}, 0, "secret/reg\n"},
		{[]string{"create", "secret", "docker-registry", "reg2", "--docker-username=u"}, 1,
			"error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required\n"},
	} {
		code, out, errOut := tk(t, url, "", tc.args...)
		got := out
		if tc.wantCode != 0 {
			got = errOut
		}
		if diff := cmp.Diff(tc.want, got); code != tc.wantCode || diff != "" {
			t.Errorf("%q = %d (stdout %q, stderr %q), want %d; output (-want +got):\n%s", tc.args, code, out, errOut, tc.wantCode, diff)
		}
	}
	// Only the created objects are stored: no dry run, no refusal.
	for _, tc := range []struct{ kind, want string }{
		{"configmaps", "configmap/app\nconfigmap/named\n"},
		{"secrets", "secret/db\nsecret/reg\nsecret/site\n"},
	} {
		if _, out, _ := tk(t, url, "", "get", tc.kind, "-o", "name"); out != tc.want {
			t.Errorf("get %s -o name = %q, want %q", tc.kind, out, tc.want)
		}
	}
	if _, out, _ := tk(t, url, "", "get", "configmap", "app", "-o", "jsonpath={.data}"); out != `{"mode":"fast","nginx.conf":"server {}\n"}` {
		t.Errorf("configmap app data = %q", out)
	}
	if _, out, _ := tk(t, url, "", "get", "secret", "reg", "-o", "jsonpath={.type}"); out != "kubernetes.io/dockerconfigjson" {
		t.Errorf("secret reg type = %q, want kubernetes.io/dockerconfigjson", out)
	}
}
