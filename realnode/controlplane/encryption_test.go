package controlplane

import (
	"bytes"
	"context"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
)

// encryptionFile writes an EncryptionConfiguration for secrets with the
// given aesgcm keys (name=byte, in order) and, if identity, identity last.
func encryptionFile(t *testing.T, dir, name string, identity bool, keys ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n")
	if len(keys) > 0 {
		b.WriteString("  - aesgcm:\n      keys:\n")
		for _, k := range keys {
			secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte(k), 32)[:32])
			b.WriteString("      - {name: " + k + ", secret: " + secret + "}\n")
		}
	}
	if identity {
		b.WriteString("  - identity: {}\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// adminClient is a client of s as the admin.
func adminClient(s *Server) *client.Client { return client.New(s.AdminTransport()) }

// filesContaining lists the files under dir that contain any of needles.
func filesContaining(t *testing.T, dir string, needles ...[]byte) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if bytes.Contains(b, n) {
				out = append(out, strings.TrimPrefix(p, dir))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rawValue is the value etcd holds for key, read past the API server.
func rawValue(t *testing.T, s *Server, key string) []byte {
	t.Helper()
	resp, err := s.etcd.Get(context.Background(), s.cfg.EtcdPrefix+key)
	if err != nil || len(resp.Kvs) != 1 {
		t.Fatalf("etcd get %s: %v, %d keys", key, err, len(resp.Kvs))
	}
	return resp.Kvs[0].Value
}

// TestSecretsEncryptedAtRestAndRotated follows Kubernetes' procedure: a
// Secret written under key1 is not in etcd's files or its raw value; key2
// is added second, moved first, every Secret is rewritten, key1 is
// removed — with a restart at each step, after which the Secret reads
// back intact. A server lacking the key answers 500 naming it.
func TestSecretsEncryptedAtRestAndRotated(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd five times")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := serverConfig(t, "one", filepath.Join(dir, "data"))
	cfg.NoControllers = true
	var log bytes.Buffer
	cfg.Log = &log
	const canary = "tinykube-canary-7f3a9c-correct-horse"
	canary64 := base64.StdEncoding.EncodeToString([]byte(canary))
	const secretKey = "/registry/secrets/default/db"

	restart := func(prev *Server, file string) *Server {
		t.Helper()
		if prev != nil {
			prev.Close()
		}
		cfg.EncryptionProviderConfig = file
		log.Reset()
		s, err := Start(ctx, cfg)
		if err != nil {
			t.Fatalf("starting with %s: %v", filepath.Base(file), err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	readBack := func(s *Server, step string) {
		t.Helper()
		got, err := client.For[*api.Secret](adminClient(s)).Get(ctx, "default", "db")
		if err != nil || string(got.Data["password"]) != canary {
			t.Fatalf("%s: reading the Secret back = %v, %v; want password %q", step, got, err, canary)
		}
	}
	rawPrefix := func(s *Server, step, want string) {
		t.Helper()
		raw := rawValue(t, s, secretKey)
		if !bytes.HasPrefix(raw, []byte(want)) || bytes.Contains(raw, []byte(canary)) || bytes.Contains(raw, []byte(canary64)) {
			t.Errorf("%s: etcd holds %.40q..., want ciphertext behind %q", step, raw, want)
		}
	}

	s := restart(nil, encryptionFile(t, dir, "1.yaml", true, "key1"))
	if !strings.Contains(log.String(), "encryption at rest: secrets: aesgcm key key1 writes; reads aesgcm key key1, identity") {
		t.Errorf("start-up log does not say which key writes:\n%s", log.String())
	}
	cl := adminClient(s)
	sec := &api.Secret{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "default"}, Data: map[string][]byte{"password": []byte(canary)}}
	if _, err := client.For[*api.Secret](cl).Create(ctx, sec, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A ConfigMap is not encrypted: finding its value in the files shows
	// the search below would find the Secret's.
	const control = "tinykube-control-value-51d2"
	cm := &api.ConfigMap{ObjectMeta: api.ObjectMeta{Name: "plain", Namespace: "default"}, Data: map[string]string{"v": control}}
	if _, err := client.For[*api.ConfigMap](cl).Create(ctx, cm, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	rawPrefix(s, "key1", "k8s:enc:aesgcm:v1:key1:")
	readBack(s, "key1")
	s.Close()
	etcdDir := filepath.Join(cfg.DataDir, "etcd")
	if got := filesContaining(t, etcdDir, []byte(control)); len(got) == 0 {
		t.Fatalf("the unencrypted ConfigMap's value is in no file under %s: the search is blind", etcdDir)
	}
	if got := filesContaining(t, etcdDir, []byte(canary), []byte(canary64)); len(got) > 0 {
		t.Errorf("the Secret's value is in etcd's files in plaintext: %v", got)
	}

	// 1. key2 added second: key1 still writes.
	s = restart(s, encryptionFile(t, dir, "2.yaml", true, "key1", "key2"))
	readBack(s, "key2 added second")
	// 2. key2 moved first: the Secret reads, and the server says it is stale.
	s = restart(s, encryptionFile(t, dir, "3.yaml", true, "key2", "key1"))
	readBack(s, "key2 moved first")
	if !strings.Contains(log.String(), "1 of 1 stored secrets are not written with the first provider yet") {
		t.Errorf("start-up log does not count the stale Secret:\n%s", log.String())
	}
	rawPrefix(s, "before rotate", "k8s:enc:aesgcm:v1:key1:")
	// 3. rotate: every Secret rewritten with key2.
	var out bytes.Buffer
	r, err := Rewrite(ctx, adminClient(s), api.ResourceByPlural("", "secrets"), &out)
	if err != nil || r.Rewritten < 1 {
		t.Fatalf("Rewrite = %+v, %v (%s)", r, err, out.String())
	}
	rawPrefix(s, "after rotate", "k8s:enc:aesgcm:v1:key2:")
	// A server without key2 cannot read it: 500, naming the key.
	s = restart(s, encryptionFile(t, dir, "wrong.yaml", false, "key3"))
	_, err = client.For[*api.Secret](adminClient(s)).Get(ctx, "default", "db")
	if api.ReasonOf(err) != api.ReasonInternalError || !strings.Contains(err.Error(), "no provider for k8s:enc:aesgcm:v1:key2:") {
		t.Errorf("reading without key2: err = %v, want 500 InternalError naming k8s:enc:aesgcm:v1:key2:", err)
	}
	// 4. key1 removed.
	s = restart(s, encryptionFile(t, dir, "4.yaml", false, "key2"))
	readBack(s, "key1 removed")
	s.Close()
	if got := filesContaining(t, etcdDir, []byte(canary), []byte(canary64)); len(got) > 0 {
		t.Errorf("after rotation the Secret's value is in etcd's files in plaintext: %v", got)
	}
}

// TestServersMustShareTheEncryptionConfiguration: two servers given the
// same file read each other's Secrets; a server restarted without the
// key the other writes with is refused, naming the other server and the
// key, and starts once it has the file again.
func TestServersMustShareTheEncryptionConfiguration(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two etcd members")
	}
	ctx := context.Background()
	dir := t.TempDir()
	file := encryptionFile(t, dir, "enc.yaml", true, "key1")
	cfg1 := serverConfig(t, "one", filepath.Join(dir, "one"))
	cfg1.ClusterInit, cfg1.NoControllers, cfg1.EncryptionProviderConfig = true, true, file
	s1 := start(t, cfg1)
	token, err := ReadToken(cfg1.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	cfg2 := serverConfig(t, "two", filepath.Join(dir, "two"))
	cfg2.JoinURL, cfg2.Token, cfg2.NoControllers, cfg2.EncryptionProviderConfig = s1.URL, token, true, file
	s2 := start(t, cfg2)

	sec := &api.Secret{ObjectMeta: api.ObjectMeta{Name: "shared", Namespace: "default"}, Data: map[string][]byte{"k": []byte("v-shared")}}
	if _, err := client.For[*api.Secret](adminClient(s1)).Create(ctx, sec, client.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, err := client.For[*api.Secret](adminClient(s2)).Get(ctx, "default", "shared"); err != nil || string(got.Data["k"]) != "v-shared" {
		t.Fatalf("server two reading server one's Secret = %v, %v", got, err)
	}

	s2.Close()
	cfg2.JoinURL, cfg2.Token = "", "" // restart from its data
	cfg2.EncryptionProviderConfig = ""
	_, err = Start(ctx, cfg2)
	if err == nil || !strings.Contains(err.Error(), "server one writes secrets with aesgcm:key1:") {
		t.Fatalf("restarting server two without the file: err = %v, want a refusal naming server one and aesgcm:key1", err)
	}
	cfg2.EncryptionProviderConfig = file
	s2 = start(t, cfg2)
	if got, err := client.For[*api.Secret](adminClient(s2)).Get(ctx, "default", "shared"); err != nil || string(got.Data["k"]) != "v-shared" {
		t.Errorf("server two, restarted with the file, reading the Secret = %v, %v", got, err)
	}
}
