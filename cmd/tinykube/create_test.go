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
