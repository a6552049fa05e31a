package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tinykube/tinykube/core/store"
)

// Store is a store.Store on etcd. Every key is stored as prefix + key, so
// stores with different prefixes share one etcd without seeing each other's
// keys. They do share its revision counter and its compaction: a write
// under any prefix moves every store's revision, and Compact discards old
// revisions for all of them. Revisions are etcd's: 1 on a fresh etcd, and
// the first write gets 2.
type Store struct {
	client *clientv3.Client
	prefix string

	mu       sync.Mutex
	closed   bool
	watchers map[*watcher]struct{}
}

var _ store.Store = (*Store)(nil)

// New returns a Store keeping its keys under prefix in the etcd that
// client is connected to. The caller keeps owning client: Close on the
// Store does not close it.
func New(client *clientv3.Client, prefix string) *Store {
	return &Store{client: client, prefix: prefix, watchers: make(map[*watcher]struct{})}
}

// Get returns the current value of key, or store.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (store.KeyValue, error) {
	if err := s.usable(ctx); err != nil {
		return store.KeyValue{}, err
	}
	resp, err := s.client.Get(ctx, s.prefix+key)
	if err != nil {
		return store.KeyValue{}, s.mapErr("get", key, err)
	}
	if len(resp.Kvs) == 0 {
		return store.KeyValue{}, store.ErrNotFound
	}
	return s.fromEtcd(resp.Kvs[0]), nil
}

// List returns a page of the keys under prefix as of opts.Revision (the
// current revision when 0): one ranged etcd read from prefix+opts.StartKey
// to the end of the prefix, with etcd's limit. Reading below the compacted
// revision fails with store.ErrCompacted, above the current one with
// store.ErrFutureRevision.
func (s *Store) List(ctx context.Context, prefix string, opts store.ListOptions) (store.ListResult, error) {
	if err := s.usable(ctx); err != nil {
		return store.ListResult{}, err
	}
	if err := checkListOptions(prefix, opts); err != nil {
		return store.ListResult{}, err
	}
	from, end := s.rangeOf(prefix)
	if opts.StartKey != "" {
		from = s.prefix + opts.StartKey
	}
	ops := []clientv3.OpOption{clientv3.WithRange(end)}
	if opts.Revision > 0 {
		ops = append(ops, clientv3.WithRev(opts.Revision))
	}
	if opts.Limit > 0 {
		ops = append(ops, clientv3.WithLimit(opts.Limit))
	}
	resp, err := s.client.Get(ctx, from, ops...)
	if err != nil {
		return store.ListResult{}, s.mapErr("list", prefix, err)
	}
	res := store.ListResult{Revision: opts.Revision, More: resp.More}
	if res.Revision == 0 {
		res.Revision = resp.Header.Revision // the current revision, read at
	}
	for _, kv := range resp.Kvs {
		res.KVs = append(res.KVs, s.fromEtcd(kv))
	}
	return res, nil
}

// Create writes key in one transaction that succeeds only if the key has
// no CreateRevision (does not exist); otherwise it fails with
// store.ErrExists.
func (s *Store) Create(ctx context.Context, key string, value []byte) (store.KeyValue, error) {
	if err := s.usable(ctx); err != nil {
		return store.KeyValue{}, err
	}
	if err := store.CheckValueSize(key, value); err != nil {
		return store.KeyValue{}, err
	}
	k := s.prefix + key
	resp, err := s.client.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).
		Then(clientv3.OpPut(k, string(value))).
		Commit()
	if err != nil {
		return store.KeyValue{}, s.mapWriteErr("create", key, value, err)
	}
	if !resp.Succeeded {
		return store.KeyValue{}, store.ErrExists
	}
	rev := resp.Header.Revision
	return store.KeyValue{Key: key, Value: clone(value), CreateRevision: rev, ModRevision: rev}, nil
}

// Update writes key in one transaction guarded by precondition; on failure
// the transaction reads the key to tell store.ErrNotFound from
// store.ErrConflict.
func (s *Store) Update(ctx context.Context, key string, value []byte, modRevision int64) (store.KeyValue, error) {
	if err := s.usable(ctx); err != nil {
		return store.KeyValue{}, err
	}
	if err := store.CheckValueSize(key, value); err != nil {
		return store.KeyValue{}, err
	}
	k := s.prefix + key
	resp, err := s.client.Txn(ctx).
		If(precondition(k, modRevision)).
		Then(clientv3.OpPut(k, string(value), clientv3.WithPrevKV())).
		Else(clientv3.OpGet(k, clientv3.WithKeysOnly())).
		Commit()
	if err != nil {
		return store.KeyValue{}, s.mapWriteErr("update", key, value, err)
	}
	if !resp.Succeeded {
		return store.KeyValue{}, whyFailed(resp)
	}
	prev := resp.Responses[0].GetResponsePut().GetPrevKv()
	return store.KeyValue{
		Key:            key,
		Value:          clone(value),
		CreateRevision: prev.GetCreateRevision(),
		ModRevision:    resp.Header.Revision,
	}, nil
}

// Delete removes key in one transaction guarded like Update's and returns
// the entry just before and the revision of the delete.
func (s *Store) Delete(ctx context.Context, key string, modRevision int64) (store.KeyValue, int64, error) {
	if err := s.usable(ctx); err != nil {
		return store.KeyValue{}, 0, err
	}
	k := s.prefix + key
	resp, err := s.client.Txn(ctx).
		If(precondition(k, modRevision)).
		Then(clientv3.OpDelete(k, clientv3.WithPrevKV())).
		Else(clientv3.OpGet(k, clientv3.WithKeysOnly())).
		Commit()
	if err != nil {
		return store.KeyValue{}, 0, s.mapErr("delete", key, err)
	}
	if !resp.Succeeded {
		return store.KeyValue{}, 0, whyFailed(resp)
	}
	prevs := resp.Responses[0].GetResponseDeleteRange().GetPrevKvs()
	if len(prevs) != 1 {
		return store.KeyValue{}, 0, fmt.Errorf("etcdstore: delete %q: etcd returned %d previous values, want 1", key, len(prevs))
	}
	return s.fromEtcd(prevs[0]), resp.Header.Revision, nil
}

// Compact compacts etcd's history at revision and waits until etcd has
// physically discarded it, so that what follows sees a finished
// compaction. It affects every prefix on the etcd. Compacting at or below
// the last compaction is a no-op (etcd reports it as compacted); beyond the
// current revision it fails with store.ErrFutureRevision.
func (s *Store) Compact(ctx context.Context, revision int64) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if revision <= 0 {
		return nil
	}
	_, err := s.client.Compact(ctx, revision, clientv3.WithCompactPhysical())
	if errors.Is(err, rpctypes.ErrCompacted) {
		return nil
	}
	if err != nil {
		return s.mapErr("compact", fmt.Sprint(revision), err)
	}
	return nil
}

// Revision returns etcd's current revision (a linearizable read).
func (s *Store) Revision(ctx context.Context) (int64, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	key, _ := s.rangeOf("")
	resp, err := s.client.Get(ctx, key, clientv3.WithCountOnly())
	if err != nil {
		return 0, s.mapErr("revision", "", err)
	}
	return resp.Header.Revision, nil
}

// Close ends every watch with store.ErrClosed and makes later calls fail
// with store.ErrClosed. It does not close the etcd client. It returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	watchers := s.watchers
	s.watchers = make(map[*watcher]struct{})
	s.mu.Unlock()
	for w := range watchers {
		w.end(store.ErrClosed)
	}
	return nil
}

// usable returns why the store cannot serve a call: it is closed or ctx is
// done.
func (s *Store) usable(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrClosed
	}
	return ctx.Err()
}

// rangeOf returns the etcd range [from, end) holding the keys under prefix.
func (s *Store) rangeOf(prefix string) (from, end string) {
	from = s.prefix + prefix
	end = clientv3.GetPrefixRangeEnd(from)
	if from == "" {
		from = "\x00" // etcd refuses an empty key; "\x00" is the lowest one
	}
	return from, end
}

// fromEtcd converts an etcd entry, stripping the store's prefix.
func (s *Store) fromEtcd(kv *mvccpb.KeyValue) store.KeyValue {
	return store.KeyValue{
		Key:            strings.TrimPrefix(string(kv.Key), s.prefix),
		Value:          kv.Value,
		CreateRevision: kv.CreateRevision,
		ModRevision:    kv.ModRevision,
	}
}

// mapErr turns etcd's revision errors into the store's and names the call
// in any other error.
func (s *Store) mapErr(op, key string, err error) error {
	switch {
	case errors.Is(err, rpctypes.ErrCompacted):
		return store.ErrCompacted
	case errors.Is(err, rpctypes.ErrFutureRev):
		return store.ErrFutureRevision
	}
	return fmt.Errorf("etcdstore: %s %q under prefix %q: %w", op, key, s.prefix, err)
}

// mapWriteErr is mapErr for a Create or Update of value: a value that
// etcd refuses as too large (an external etcd with a --max-request-bytes
// below store.MaxValueBytes, or the client's own send limit) is
// store.ErrTooLarge, which the API server answers 413.
func (s *Store) mapWriteErr(op, key string, value []byte, err error) error {
	if errors.Is(err, rpctypes.ErrRequestTooLarge) || errors.Is(err, rpctypes.ErrGRPCRequestTooLarge) ||
		status.Code(err) == codes.ResourceExhausted && strings.Contains(err.Error(), "larger than max") {
		return &store.TooLargeError{Key: key, Size: len(value)}
	}
	return s.mapErr(op, key, err)
}

// precondition is the transaction guard for Update and Delete: the key's
// ModRevision is modRevision, or, when modRevision is 0, the key exists.
func precondition(key string, modRevision int64) clientv3.Cmp {
	if modRevision == 0 {
		return clientv3.Compare(clientv3.CreateRevision(key), ">", 0)
	}
	return clientv3.Compare(clientv3.ModRevision(key), "=", modRevision)
}

// whyFailed reads the Else branch of a failed guarded transaction: no key
// means store.ErrNotFound, a key means it changed (store.ErrConflict).
func whyFailed(resp *clientv3.TxnResponse) error {
	if len(resp.Responses) == 1 && len(resp.Responses[0].GetResponseRange().GetKvs()) == 0 {
		return store.ErrNotFound
	}
	return store.ErrConflict
}

// checkListOptions rejects options no store can serve, as store.Memory
// does.
func checkListOptions(prefix string, opts store.ListOptions) error {
	if opts.Revision < 0 || opts.Limit < 0 {
		return fmt.Errorf("etcdstore: list %q: negative revision %d or limit %d", prefix, opts.Revision, opts.Limit)
	}
	if opts.StartKey != "" && !strings.HasPrefix(opts.StartKey, prefix) {
		return fmt.Errorf("etcdstore: list %q: start key %q is not under the prefix", prefix, opts.StartKey)
	}
	return nil
}

// clone copies a caller's value so that later changes to the caller's
// slice do not show in what we return.
func clone(b []byte) []byte { return append([]byte(nil), b...) }
