package dns

import (
	"bufio"
	"net"
	"net/netip"
	"os"
	"strings"
)

// HostResolvers reads a resolv.conf (the host's /etc/resolv.conf) and
// returns its nameservers as "IP:53" upstreams and its search domains.
// Loopback nameservers are kept: the server forwards from the node's own
// network namespace, where they answer.
func HostResolvers(path string) (upstreams, search []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "nameserver":
			if ip, err := netip.ParseAddr(fields[1]); err == nil {
				upstreams = append(upstreams, net.JoinHostPort(ip.WithZone("").String(), "53"))
			}
		case "search", "domain":
			search = fields[1:]
		}
	}
	return upstreams, search, sc.Err()
}
