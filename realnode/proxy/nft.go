package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/core/proxy"
)

// NFT is core/proxy's Backend on nftables: Apply renders the table and
// runs the script with `nft -f -`. It is safe for concurrent use; the
// proxy calls it from one loop anyway.
type NFT struct {
	Options
	// Path is the nft executable; empty means "nft" from PATH, falling
	// back to /usr/sbin/nft (not in a non-root PATH on Debian).
	Path string
	// Timeout bounds each nft run; default 10s.
	Timeout time.Duration

	mu sync.Mutex
	// script and listing are the last script applied and what
	// `nft -t list table` printed right after, for Apply to tell an
	// unchanged, intact table from one that needs replacing.
	script, listing string
}

var _ proxy.Backend = (*NFT)(nil)

// Apply makes the kernel route by t, replacing the previous table in one
// transaction. It returns nft's complaint when the script fails.
//
// Reapplying an identical table (the proxy's periodic resync) leaves the
// table alone when it is still exactly as applied: replacing it would
// empty the ClientIP affinity sets, and clients would lose their backends
// every resync. A table someone changed or deleted is replaced. Any real
// change recreates the table, affinity memory included: the price of
// atomic, whole-table applies (kube-proxy instead edits its table in
// place, which keeps the sets but is much more code).
//
// Apply also turns route_localnet on for the pods' bridge, once it exists
// (the first pod's network creates it); see Render's postrouting chain
// for why.
func (n *NFT) Apply(t *proxy.Table) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.routeLocalnet(); err != nil {
		return err
	}
	script := Render(t, n.Options)
	if script == n.script {
		if now, err := n.list(); err == nil && now == n.listing {
			return nil
		}
	}
	if _, err := n.nft(script, "-f", "-"); err != nil {
		n.script, n.listing = "", ""
		return err
	}
	n.script = script
	n.listing, _ = n.list()
	return nil
}

// Close deletes the table, and with it every service rule. Closing when
// there is no table is not an error.
func (n *NFT) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.script, n.listing = "", ""
	t := n.table()
	_, err := n.nft(fmt.Sprintf("add table ip %s\ndelete table ip %s\n", t, t), "-f", "-")
	return err
}

// list returns the table as nft prints it, without the elements of sets
// (-t): the affinity sets fill up as clients come and go.
func (n *NFT) list() (string, error) {
	return n.nft("", "-t", "list", "table", "ip", n.table())
}

// nft runs the nft command with stdin and returns its output; the error
// holds what nft wrote to stderr.
func (n *NFT) nft(stdin string, args ...string) (string, error) {
	path := n.Path
	if path == "" {
		path = "nft"
		if _, err := exec.LookPath(path); err != nil {
			path = "/usr/sbin/nft"
		}
	}
	timeout := n.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("service proxy: %s not found: install nftables (apt-get install nftables) or set the nft path", path)
		}
		if ctx.Err() != nil {
			err = fmt.Errorf("timed out after %s", timeout)
		}
		return "", fmt.Errorf("service proxy: nft %s (table ip %s): %v: %s", strings.Join(args, " "), n.table(), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// routeLocalnet lets the kernel route packets with a loopback source out
// of the pods' bridge and accept their replies: a client of
// 127.0.0.1:nodePort or of a load balancer address in 127/8 sends from
// 127.0.0.1, and after DNAT its packet leaves for a pod (postrouting then
// masquerades it). Without it the kernel drops such packets as martians.
// A bridge that does not exist yet is skipped: the next Apply sets it.
func (n *NFT) routeLocalnet() error {
	if n.Bridge == "" {
		return nil
	}
	path := filepath.Join("/proc/sys/net/ipv4/conf", n.Bridge, "route_localnet")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.WriteFile(path, []byte("1"), 0o644); err != nil {
		return fmt.Errorf("service proxy: turning route_localnet on for bridge %s: %w", n.Bridge, err)
	}
	return nil
}
