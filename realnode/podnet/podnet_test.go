package podnet

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/tinykube/tinykube/realnode/netnstest"
)

func TestMain(m *testing.M) { netnstest.Main(m) }

// Every test uses its own bridge and subnet: they all share the test
// binary's network namespace, and bridges outlive a Network.

func newNetwork(t *testing.T, bridge, subnet string) *Network {
	t.Helper()
	netnstest.RequireCNI(t, requiredPlugins...)
	n, err := New(Config{Bridge: bridge, Subnet: subnet, StateDir: t.TempDir()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return n
}

// setup sets up id and tears it down when the test ends (before the
// temporary StateDir holding its netns mount is removed).
func setup(t *testing.T, n *Network, id string) Attachment {
	t.Helper()
	a, err := n.Setup(context.Background(), id)
	if err != nil {
		t.Fatalf("Setup(%s): %v", id, err)
	}
	t.Cleanup(func() {
		if err := n.Teardown(context.Background(), id); err != nil {
			t.Errorf("Teardown(%s): %v", id, err)
		}
	})
	return a
}

// serveIn starts a TCP server inside the pod's namespace that greets every
// connection with "hello from <id>", and returns its port.
func serveIn(t *testing.T, a Attachment, id string) int {
	t.Helper()
	var ln net.Listener
	err := InNetNS(a.NetNS, func() error {
		var err error
		ln, err = net.Listen("tcp", net.JoinHostPort(a.IP, "0"))
		return err
	})
	if err != nil {
		t.Fatalf("listening inside %s: %v", id, err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "hello from %s", id)
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// greeting connects to addr and returns what the server said.
func greeting(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestSetupGivesReachablePods(t *testing.T) {
	n := newNetwork(t, "tk-reach", "10.88.0.0/24")
	if got, want := n.Gateway(), "10.88.0.1"; got != want {
		t.Errorf("Gateway() = %s, want %s", got, want)
	}
	subnet := netip.MustParsePrefix("10.88.0.0/24")
	ids := []string{"pod-a", "pod-b", "pod-c"}
	seen := map[string]string{}
	for _, id := range ids {
		a := setup(t, n, id)
		ip, err := netip.ParseAddr(a.IP)
		if err != nil || !subnet.Contains(ip) || a.IP == n.Gateway() {
			t.Errorf("Setup(%s).IP = %q, want a pod address in %s other than the gateway", id, a.IP, subnet)
		}
		if other, dup := seen[a.IP]; dup {
			t.Errorf("Setup(%s).IP = %s, already given to %s", id, a.IP, other)
		}
		seen[a.IP] = id
		if want := filepath.Join(n.cfg.StateDir, "netns", id); a.NetNS != want || !isNetNS(a.NetNS) {
			t.Errorf("Setup(%s).NetNS = %s (a netns: %v), want the pinned namespace %s", id, a.NetNS, isNetNS(a.NetNS), want)
		}

		// The node (this test's namespace) reaches the pod through the bridge.
		addr := net.JoinHostPort(a.IP, fmt.Sprint(serveIn(t, a, id)))
		got, err := greeting(addr)
		if err != nil || got != "hello from "+id {
			t.Errorf("node -> %s at %s: got %q, %v; want %q", id, addr, got, err, "hello from "+id)
		}
	}
	got, err := n.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}

func TestPodToPod(t *testing.T) {
	n := newNetwork(t, "tk-p2p", "10.88.10.0/24")
	a := setup(t, n, "a")
	b := setup(t, n, "b")
	addr := net.JoinHostPort(b.IP, fmt.Sprint(serveIn(t, b, "b")))
	var got string
	err := InNetNS(a.NetNS, func() error {
		var err error
		got, err = greeting(addr)
		return err
	})
	if err != nil || got != "hello from b" {
		t.Errorf("pod a -> pod b at %s: got %q, %v; want %q", addr, got, err, "hello from b")
	}
}

func TestTeardownReleasesEverything(t *testing.T) {
	// A /30 has exactly one pod address, so whether it was released shows.
	n := newNetwork(t, "tk-down", "10.88.20.0/30")
	ctx := context.Background()
	ipFile := func(ip string) string { return filepath.Join(n.cfg.StateDir, "ipam", n.cfg.Network, ip) }

	x, err := n.Setup(ctx, "x")
	if err != nil {
		t.Fatalf("Setup(x): %v", err)
	}
	if _, err := os.Stat(ipFile(x.IP)); err != nil {
		t.Errorf("host-local has no record of %s for x: %v", x.IP, err)
	}

	// The subnet is full: Setup fails, and leaves nothing behind.
	if _, err := n.Setup(ctx, "y"); err == nil || !strings.Contains(err.Error(), "CNI ADD for sandbox y") {
		t.Errorf("Setup(y) on a full subnet: err = %v, want a CNI ADD error naming sandbox y", err)
	}
	if ids, _ := n.List(); !slices.Equal(ids, []string{"x"}) {
		t.Errorf("List() after the failed Setup(y) = %v, want [x]", ids)
	}
	if _, err := n.Setup(ctx, "x"); err == nil || !strings.Contains(err.Error(), "already set up") {
		t.Errorf("Setup(x) twice: err = %v, want 'already set up'", err)
	}

	for i := range 2 {
		if err := n.Teardown(ctx, "x"); err != nil {
			t.Fatalf("Teardown(x) #%d: %v", i+1, err)
		}
	}
	if _, err := os.Stat(x.NetNS); !os.IsNotExist(err) {
		t.Errorf("netns file %s still there after Teardown (stat: %v)", x.NetNS, err)
	}
	if _, err := os.Stat(ipFile(x.IP)); !os.IsNotExist(err) {
		t.Errorf("host-local still holds %s after Teardown (stat: %v)", x.IP, err)
	}

	y := setup(t, n, "y")
	if y.IP != x.IP {
		t.Errorf("Setup(y).IP = %s, want the released %s", y.IP, x.IP)
	}
}

// TestTeardownAfterCrash tears down a sandbox whose netns mount is gone but
// whose file and IP are left, as after a reboot.
func TestTeardownAfterCrash(t *testing.T) {
	n := newNetwork(t, "tk-crash", "10.88.30.0/30")
	ctx := context.Background()
	x, err := n.Setup(ctx, "x")
	if err != nil {
		t.Fatalf("Setup(x): %v", err)
	}
	if err := unix.Unmount(x.NetNS, unix.MNT_DETACH); err != nil {
		t.Fatal(err)
	}
	if ids, _ := n.List(); !slices.Equal(ids, []string{"x"}) {
		t.Errorf("List() = %v, want the orphan [x]", ids)
	}
	if err := n.Teardown(ctx, "x"); err != nil {
		t.Fatalf("Teardown(x) of an unmounted netns: %v", err)
	}
	y := setup(t, n, "y")
	if y.IP != x.IP {
		t.Errorf("Setup(y).IP = %s, want %s released by the orphan's Teardown", y.IP, x.IP)
	}
}

func TestTwoNetworksSideBySide(t *testing.T) {
	n1 := newNetwork(t, "tk-one", "10.88.41.0/24")
	n2 := newNetwork(t, "tk-two", "10.88.42.0/24")
	for _, tc := range []struct {
		n      *Network
		subnet string
	}{{n1, "10.88.41.0/24"}, {n2, "10.88.42.0/24"}} {
		id := "pod-" + tc.n.cfg.Bridge
		a := setup(t, tc.n, id) // the same id on both would work too: state is per StateDir
		if !netip.MustParsePrefix(tc.subnet).Contains(netip.MustParseAddr(a.IP)) {
			t.Errorf("%s: IP %s not in %s", id, a.IP, tc.subnet)
		}
		addr := net.JoinHostPort(a.IP, fmt.Sprint(serveIn(t, a, id)))
		if got, err := greeting(addr); err != nil || got != "hello from "+id {
			t.Errorf("node -> %s at %s: got %q, %v", id, addr, got, err)
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no subnet", Config{StateDir: dir}, "Config.Subnet is required"},
		{"not a CIDR", Config{StateDir: dir, Subnet: "10.88.0.0"}, "is not a CIDR"},
		{"host bits", Config{StateDir: dir, Subnet: "10.88.0.5/24"}, "did you mean 10.88.0.0/24"},
		{"too small", Config{StateDir: dir, Subnet: "10.88.0.0/31"}, "too small"},
		{"IPv6", Config{StateDir: dir, Subnet: "fd00::/64"}, "only IPv4"},
		{"no state dir", Config{Subnet: "10.88.0.0/24"}, "StateDir is required"},
		{"relative state dir", Config{Subnet: "10.88.0.0/24", StateDir: "state"}, "absolute path"},
		{"long bridge", Config{Subnet: "10.88.0.0/24", StateDir: dir, Bridge: "a-bridge-name-too-long"}, "not a valid Linux interface name"},
		{"no plugins", Config{Subnet: "10.88.0.0/24", StateDir: dir, PluginDirs: []string{dir}},
			"CNI plugins loopback, bridge, host-local not found in " + dir + "; install them with `apt-get install containernetworking-plugins`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
			}
		})
	}
}

// TestConcurrentSetup sets up pods at once, as a kubelet starting several
// pods would: the first ADDs race to create the bridge and its address.
func TestConcurrentSetup(t *testing.T) {
	n := newNetwork(t, "tk-many", "10.88.50.0/24")
	ctx := context.Background()
	const pods = 6
	type result struct {
		a   Attachment
		err error
	}
	results := make(chan result, pods)
	for i := range pods {
		id := fmt.Sprintf("p%d", i)
		t.Cleanup(func() {
			if err := n.Teardown(ctx, id); err != nil {
				t.Errorf("Teardown(%s): %v", id, err)
			}
		})
		go func() {
			a, err := n.Setup(ctx, id)
			results <- result{a, err}
		}()
	}
	seen := map[string]bool{}
	for range pods {
		r := <-results
		if r.err != nil {
			t.Errorf("concurrent Setup: %v", r.err)
			continue
		}
		if seen[r.a.IP] {
			t.Errorf("IP %s given out twice", r.a.IP)
		}
		seen[r.a.IP] = true
	}
}
