package controlplane

import (
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/store"
	"github.com/tinykube/tinykube/core/store/encryption"
)

// encryptionKey is where a server records the fingerprint of its
// EncryptionConfiguration (key names and hashes, never keys).
func (s *Server) encryptionKey(name string) string {
	return s.cfg.EtcdPrefix + "/tinykube/encryption/" + name
}

// LoadEncryptionConfig reads and validates an EncryptionConfiguration
// file; "" is no configuration (nil).
func LoadEncryptionConfig(path string) (*encryption.Config, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--encryption-provider-config: %v", err)
	}
	c, err := encryption.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("--encryption-provider-config %s: %v", path, err)
	}
	return c, nil
}

// encryptStore wraps s.Store so that the resources the
// EncryptionConfiguration names are encrypted in etcd (with no
// configuration, encrypted values are still refused with a clear error
// instead of being handed out as ciphertext). It logs what writes, checks
// that the other servers of the cluster read what this one writes and
// write only what it reads (refusing to start otherwise), records this
// server's fingerprint, and warns about values not yet in the form this
// server writes.
func (s *Server) encryptStore(ctx context.Context) error {
	c, err := LoadEncryptionConfig(s.cfg.EncryptionProviderConfig)
	if err != nil {
		return err
	}
	t, err := encryption.New(c, crand.Reader)
	if err != nil {
		return fmt.Errorf("--encryption-provider-config %s: %v", s.cfg.EncryptionProviderConfig, err)
	}
	s.Store = encryption.NewStore(s.Store, t)
	lines := t.Describe()
	if len(lines) == 0 {
		fmt.Fprintln(s.cfg.Log, "encryption at rest: off (no --encryption-provider-config): Secrets are stored in etcd as they are")
	} else {
		fmt.Fprintf(s.cfg.Log, "encryption at rest: %d resource rule(s) from %s\n", len(lines), s.cfg.EncryptionProviderConfig)
		for _, l := range lines {
			fmt.Fprintf(s.cfg.Log, "encryption at rest: %s\n", l)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.checkEncryptionPeers(cctx, t.Fingerprint()); err != nil {
		return err
	}
	s.reportStale(cctx, c)
	return nil
}

// checkEncryptionPeers compares this server's fingerprint with those the
// other servers of the cluster recorded (see encryption.Compatible) and
// records its own. With the embedded etcd, only the servers that are
// members (those under /tinykube/servers/) count, so a removed server's
// old record is ignored; with an external etcd every other record counts
// (give each server its own --name).
func (s *Server) checkEncryptionPeers(ctx context.Context, mine encryption.Fingerprint) error {
	self := s.cfg.Name
	if self == "" {
		self = "tinykube"
	}
	resp, err := s.etcd.Get(ctx, s.encryptionKey(""), clientv3.WithPrefix())
	if err != nil {
		return fmt.Errorf("reading the other servers' encryption fingerprints from etcd: %v", err)
	}
	var members []string
	if s.embedded != nil {
		sr, err := s.etcd.Get(ctx, s.serverKey(""), clientv3.WithPrefix(), clientv3.WithKeysOnly())
		if err != nil {
			return fmt.Errorf("reading the servers of the cluster from etcd: %v", err)
		}
		for _, kv := range sr.Kvs {
			members = append(members, strings.TrimPrefix(string(kv.Key), s.serverKey("")))
		}
	}
	for _, kv := range resp.Kvs {
		name := strings.TrimPrefix(string(kv.Key), s.encryptionKey(""))
		if name == self || (s.embedded != nil && !slices.Contains(members, name)) {
			continue
		}
		var theirs encryption.Fingerprint
		if err := json.Unmarshal(kv.Value, &theirs); err != nil {
			fmt.Fprintf(s.cfg.Log, "encryption at rest: server %s's fingerprint is unreadable (%v): not compared\n", name, err)
			continue
		}
		if err := encryption.Compatible(mine, theirs, name); err != nil {
			return fmt.Errorf("--encryption-provider-config: %v", err)
		}
	}
	b, err := json.Marshal(mine)
	if err != nil {
		return err
	}
	if _, err := s.etcd.Put(ctx, s.encryptionKey(self), string(b)); err != nil {
		return fmt.Errorf("recording this server's encryption fingerprint in etcd: %v", err)
	}
	return nil
}

// reportStale counts, for each resource the configuration names exactly,
// the stored values not written with its first provider, and those that
// cannot be read at all, and says what to do. It only logs.
func (s *Server) reportStale(ctx context.Context, c *encryption.Config) {
	if c == nil {
		return
	}
	seen := map[string]bool{}
	for _, rc := range c.Resources {
		for _, name := range rc.Resources {
			gr := encryption.ParseGroupResource(name)
			if gr.Resource == "*" || seen[name] {
				continue
			}
			seen[name] = true
			prefix := "/registry/" + gr.Resource + "/"
			if r := api.ResourceByPlural(gr.Group, gr.Resource); r != nil {
				prefix = r.StoragePrefix()
			} else if gr.Group != "" {
				prefix = "/registry/" + gr.Group + "/" + gr.Resource + "/"
			}
			stale, total, unreadable, err := countStale(ctx, s.Store, prefix)
			switch {
			case err != nil:
				fmt.Fprintf(s.cfg.Log, "encryption at rest: counting stored %s: %v\n", name, err)
			case unreadable != nil:
				fmt.Fprintf(s.cfg.Log, "encryption at rest: WARNING: some stored %s cannot be read with this configuration: %v\n", name, unreadable)
			case stale > 0:
				fmt.Fprintf(s.cfg.Log, "encryption at rest: %d of %d stored %s are not written with the first provider yet: once every server has this file, run 'tinykube encryption rotate'\n", stale, total, name)
			}
		}
	}
}

// countStale reads every value under prefix and counts the stale ones;
// unreadable is the first read error that is not the store's fault.
func countStale(ctx context.Context, st store.Store, prefix string) (stale, total int, unreadable error, err error) {
	opts := store.ListOptions{Limit: 500}
	for {
		r, lerr := st.List(ctx, prefix, opts)
		if errors.Is(lerr, store.ErrUnreadable) {
			return stale, total, lerr, nil
		}
		if lerr != nil {
			return 0, 0, nil, lerr
		}
		for _, kv := range r.KVs {
			total++
			if kv.Stale {
				stale++
			}
		}
		if !r.More || len(r.KVs) == 0 {
			return stale, total, nil, nil
		}
		opts.Revision = r.Revision
		opts.StartKey = r.KVs[len(r.KVs)-1].Key + "\x00"
	}
}
