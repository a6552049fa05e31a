package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/core/api"
	"github.com/tinykube/tinykube/core/client"
	"github.com/tinykube/tinykube/realnode/agent"
	"github.com/tinykube/tinykube/realnode/nodetest"
)

// sleeper is a busybox pod that idles, with an optional hostname and
// subdomain.
func sleeper(name, app, hostname, subdomain string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, labels: {app: %s}}
spec:
  terminationGracePeriodSeconds: 1
  hostname: "%s"
  subdomain: "%s"
  containers:
  - name: main
    image: busybox
    imagePullPolicy: Never
    command: [sleep, "3600"]
`, name, app, hostname, subdomain)
}

// exec runs cmd in the first container of pod on node agent a.
func execIn(t *testing.T, a *agent.Agent, p *api.Pod, cmd ...string) (int, string) {
	t.Helper()
	id := strings.TrimPrefix(p.Status.ContainerStatuses[0].ContainerID, "containerd://")
	code, out, err := a.Runtime.Exec(id, cmd, 10*time.Second)
	if err != nil {
		t.Fatalf("exec %v in %s: %v", cmd, p.Name, err)
	}
	return code, out
}

// A pod resolves a service by its short name, SERVICE.NAMESPACE and its
// full name through the node's DNS server on the bridge address, and a
// headless service to its pods.
func TestPodsResolveServicesThroughNodeDNS(t *testing.T) {
	c := newCluster(t)
	cfg := agentConfig(c.nodeKubeconfig(nodeA.name), c.ctrd.Socket, filepath.Join(c.state, "nodes", nodeA.name), nodeA)
	nodetest.ImportBusybox(t, c.ctrd.Socket, nodeA.namespace)
	a, err := agent.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Stop()
		c.releaseNetworks(nodeA)
		unmountUnder(t, filepath.Join(c.state, "nodes", nodeA.name)) // the pods' token volumes
	})

	ctx := context.Background()
	svcs := client.For[*api.Service](c.client)
	web := &api.Service{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: api.ServiceSpec{ClusterIP: "10.96.0.60", Selector: map[string]string{"app": "web"}, Ports: []api.ServicePort{{Name: "http", Port: 8089}}}}
	db := &api.Service{ObjectMeta: api.ObjectMeta{Name: "db", Namespace: "default"},
		Spec: api.ServiceSpec{ClusterIP: "None", Selector: map[string]string{"app": "db"}, Ports: []api.ServicePort{{Port: 5432}}}}
	for _, s := range []*api.Service{web, db} {
		if _, err := svcs.Create(ctx, s, client.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c.apply(sleeper("client", "client", "", "") + "\n---\n" + sleeper("db-0", "db", "db-0", "db") + "\n---\n" + sleeper("db-1", "db", "db-1", "db"))
	c.running("app=db", 2)
	dbPods := c.pods("app=db")
	var dbIPs []string
	for _, p := range dbPods {
		dbIPs = append(dbIPs, p.Status.PodIP)
	}
	cl := c.running("app=client", 1)[0]

	code, resolv := execIn(t, a, cl, "cat", "/etc/resolv.conf")
	want := "nameserver 10.81.0.1\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n"
	if code != 0 || resolv != want {
		t.Errorf("the client pod's /etc/resolv.conf = %q, want %q", resolv, want)
	}
	_, hosts := execIn(t, a, dbPods[0], "cat", "/etc/hosts")
	if line := dbPods[0].Status.PodIP + "\tdb-0.db.default.svc.cluster.local\tdb-0"; !strings.Contains(hosts, line) {
		t.Errorf("db-0's /etc/hosts = %q, want a line %q", hosts, line)
	}

	// busybox's nslookup applies the search list to names without a dot
	// only, tries it for A and AAAA and exits 1 when any try is NXDOMAIN,
	// so its answer is read from its output. The zone reaches the server
	// through the resolver's watch: the first lookups wait for it.
	lookup := func(name string, want ...string) string {
		var out string
		c.eventually("nslookup "+name+" in a pod finds "+strings.Join(want, ", "), 20*time.Second, func() (bool, string) {
			_, out = execIn(t, a, cl, "nslookup", name)
			for _, w := range want {
				if !strings.Contains(out, "Address: "+w+"\n") {
					return false, out
				}
			}
			return true, ""
		})
		return out
	}
	lookup("web", "10.96.0.60")
	lookup("web.default.svc.cluster.local", "10.96.0.60")
	lookup("db", dbIPs...)
	if out := lookup("db-1.db.default.svc.cluster.local", dbPods[1].Status.PodIP); strings.Contains(out, dbPods[0].Status.PodIP+"\n") {
		t.Errorf("nslookup db-1.db.default.svc.cluster.local in a pod:\n%s\nwant only %s", out, dbPods[1].Status.PodIP)
	}
	// Programs resolve through getaddrinfo, which walks the search list
	// (ndots:5) for dotted names too; ping prints what it resolved.
	for _, tc := range []struct{ name, want string }{
		{"web", "10.96.0.60"}, {"web.default", "10.96.0.60"}, {"web.default.svc.cluster.local", "10.96.0.60"},
		{"db-1.db", dbPods[1].Status.PodIP},
	} {
		if _, out := execIn(t, a, cl, "ping", "-c", "1", "-W", "1", tc.name); !strings.Contains(out, "("+tc.want+")") {
			t.Errorf("ping %s in a pod: %q, want it to resolve to %s", tc.name, out, tc.want)
		}
	}
	if _, out := execIn(t, a, cl, "nslookup", "nosuch.default.svc.cluster.local"); !strings.Contains(out, "NXDOMAIN") {
		t.Errorf("nslookup nosuch.default.svc.cluster.local in a pod:\n%s\nwant NXDOMAIN", out)
	}
}
