package dns

import (
	"fmt"
	"net"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// forward sends a question outside the zone, as the client wrote it, to
// each upstream in turn over the client's transport, and returns the first
// answer. No upstream: REFUSED at once. None answering: SERVFAIL.
func (s *Server) forward(msg []byte, req request, udp bool) []byte {
	if len(s.cfg.Upstreams) == 0 {
		return s.errorReply(req, dnsmessage.RCodeRefused, false)
	}
	for _, up := range s.cfg.Upstreams {
		out, err := exchange(up, msg, udp, s.cfg.UpstreamTimeout)
		if err == nil {
			return out
		}
		fmt.Fprintf(s.cfg.Log, "dns: forwarding %s to %s: %v\n", req.question.Name, up, err)
	}
	return s.errorReply(req, dnsmessage.RCodeServerFailure, false)
}

// exchange sends msg to addr and waits for the answer with the same ID.
func exchange(addr string, msg []byte, udp bool, timeout time.Duration) ([]byte, error) {
	network := "tcp"
	if udp {
		network = "udp"
	}
	conn, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if !udp {
		if err := writeTCP(conn, msg); err != nil {
			return nil, err
		}
		return readTCP(conn)
	}
	if _, err := conn.Write(msg); err != nil {
		return nil, err
	}
	buf := make([]byte, 65535)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		if n >= 2 && buf[0] == msg[0] && buf[1] == msg[1] {
			return append([]byte(nil), buf[:n]...), nil
		}
	}
}

// chase asks the upstreams for the records of type t at name, the target
// of an ExternalName service, and returns the address and CNAME records
// of the answer (nothing when there is no upstream or no answer).
func (s *Server) chase(name string, t dnsmessage.Type) []dnsmessage.Resource {
	if len(s.cfg.Upstreams) == 0 || (t != dnsmessage.TypeA && t != dnsmessage.TypeAAAA) {
		return nil
	}
	n, err := dnsmessage.NewName(name)
	if err != nil {
		return nil
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: uint16(time.Now().UnixNano()), RecursionDesired: true})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: n, Type: t, Class: dnsmessage.ClassINET})
	q, err := b.Finish()
	if err != nil {
		return nil
	}
	for _, up := range s.cfg.Upstreams {
		out, err := exchange(up, q, true, s.cfg.UpstreamTimeout)
		if err != nil {
			continue
		}
		var m dnsmessage.Message
		if m.Unpack(out) != nil {
			return nil
		}
		var rrs []dnsmessage.Resource
		for _, rr := range m.Answers {
			switch rr.Header.Type {
			case dnsmessage.TypeA, dnsmessage.TypeAAAA, dnsmessage.TypeCNAME:
				rrs = append(rrs, rr)
			}
		}
		return rrs
	}
	return nil
}
