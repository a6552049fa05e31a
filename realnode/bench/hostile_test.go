package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/realnode/controlplane"
)

// hostileServerEnv, in this test binary's environment, makes it an API
// server (serveHostileIfAsked, from TestMain) instead of running tests: the hostile test runs the
// server as a process of its own, so that the memory it reads is the
// server's alone.
const hostileServerEnv = "TINYKUBE_HOSTILE_SERVER"

// serveHostileIfAsked runs an API server in this process, and reports
// true once it ends, when hostileServerEnv asks for one (TestMain).
func serveHostileIfAsked() bool {
	args := os.Getenv(hostileServerEnv)
	if args == "" {
		return false
	}
	if err := serveForHostile(strings.Fields(args)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return true
}

// serveForHostile runs an API server (no controllers) with its data in
// args[0], its API at args[1] and its etcd at args[2] and args[3], until
// the process is killed.
func serveForHostile(args []string) error {
	cfg := controlplane.Config{DataDir: args[0], Listen: args[1], EtcdClientURL: args[2], EtcdPeerURL: args[3],
		Name: "hostile", AdvertiseAddress: "127.0.0.1", Version: "test", NoControllers: true,
		Limits: controlplane.Limits{BodyTimeout: HostileBodyTimeout}}
	s, err := controlplane.Start(context.Background(), cfg)
	if err != nil {
		return err
	}
	<-s.Done()
	return s.Err()
}

// Every hostile input is refused 4xx in under a second, slow bodies are
// cut off, /readyz answers all along, and the server's peak RSS stays
// under HostileMaxRSS.
func TestHostileInputs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an API server process")
	}
	if len(HostileInputs) < 25 {
		t.Errorf("len(HostileInputs) = %d, want at least 25", len(HostileInputs))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := func(dataDir, listen, etcdClient, etcdPeer string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), hostileServerEnv+"="+strings.Join([]string{dataDir, listen, etcdClient, etcdPeer}, " "))
		return cmd
	}
	rep, err := RunHostile(ctx, start, HostileInputs)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	for _, f := range rep.Failures {
		t.Errorf("not refused: %s", f)
	}
	if rep.ReadyzFailures > 0 {
		t.Errorf("/readyz failed %d times, want 0", rep.ReadyzFailures)
	}
	if rep.SlowCutOff != rep.SlowBodies {
		t.Errorf("slow bodies cut off = %d, want %d", rep.SlowCutOff, rep.SlowBodies)
	}
	if rep.PeakRSS >= HostileMaxRSS {
		t.Errorf("server peak RSS = %d MB, want < %d MB", rep.PeakRSS>>20, HostileMaxRSS>>20)
	}
}
