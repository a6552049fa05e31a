package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"

	"github.com/tinykube/tinykube/realnode/bench"
)

// hostileBench sends the hostile inputs (bench.HostileInputs) to a
// `tinykube server` run from this binary as a process of its own, and
// prints one row: how many were refused in time, the slow bodies cut
// off, the server's peak memory, and whether /readyz always answered.
func hostileBench(ctx context.Context, w, progress io.Writer) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintln(progress, "sending hostile inputs to a server process...")
	start := func(dataDir, listen, etcdClient, etcdPeer string) *exec.Cmd {
		return exec.CommandContext(ctx, self, "server", "--no-user-kubeconfig", "--data-dir", dataDir, "--listen", listen,
			"--etcd-client-url", etcdClient, "--etcd-peer-url", etcdPeer, "--request-body-timeout", bench.HostileBodyTimeout.String())
	}
	rep, err := bench.RunHostile(ctx, start, bench.HostileInputs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s (goal: all 4xx in < 1 s, peak RSS < %d MB)\n", rep, bench.HostileMaxRSS>>20)
	return nil
}
