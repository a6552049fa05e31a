package dns

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	cdns "github.com/tinykube/tinykube/core/dns"
)

// Config is where a Server listens and whom it asks for names outside the
// cluster zone.
type Config struct {
	// Listen is "IP:PORT"; port 0 picks one free on both UDP and TCP.
	Listen string
	// Domain is the cluster zone (core/dns.DefaultDomain when empty).
	// Until the first Records arrive, questions in it get SERVFAIL.
	Domain string
	// Upstreams are "IP:PORT" resolvers for every other name, tried in
	// order. None: such questions are REFUSED.
	Upstreams []string
	// UpstreamTimeout bounds each upstream's answer (2s).
	UpstreamTimeout time.Duration
	// TTL of the cluster zone's records (5s: services change, and a
	// stale address is a failed connection).
	TTL uint32
	// Log receives one line per failure to serve (nil: discarded).
	Log io.Writer
}

// Server answers DNS over UDP and TCP until Close.
type Server struct {
	cfg     Config
	zone    string
	udp     net.PacketConn
	tcp     net.Listener
	records atomic.Pointer[cdns.Records]
	wg      sync.WaitGroup
	closed  atomic.Bool
	sem     chan struct{} // bounds the questions in flight over UDP
}

// Listen binds UDP and TCP on cfg.Listen and starts serving.
func Listen(cfg Config) (*Server, error) {
	if cfg.UpstreamTimeout <= 0 {
		cfg.UpstreamTimeout = 2 * time.Second
	}
	if cfg.TTL == 0 {
		cfg.TTL = 5
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	s := &Server{cfg: cfg, zone: cdns.Build(cfg.Domain, nil, nil).Zone(), sem: make(chan struct{}, 256)}
	var err error
	if s.udp, s.tcp, err = listenBoth(cfg.Listen); err != nil {
		return nil, err
	}
	s.wg.Add(2)
	go s.serveUDP()
	go s.serveTCP()
	return s, nil
}

// lc binds with IP_FREEBIND, so an address that is not (yet) on any
// interface can be bound: the pod bridge gets its address with the first
// pod.
var lc = net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_IP, syscall.IP_FREEBIND, 1)
	})
	return errors.Join(err, serr)
}}

// listenBoth binds UDP and TCP on the same address and port. With port 0
// it takes UDP's free port for TCP too, trying again should TCP's be
// taken.
func listenBoth(addr string) (net.PacketConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dns: listen address %q: %w", addr, err)
	}
	for try := 0; ; try++ {
		u, err := lc.ListenPacket(context.Background(), "udp4", net.JoinHostPort(host, port))
		if err != nil {
			return nil, nil, fmt.Errorf("dns: listening on udp %s: %w", addr, err)
		}
		p := strconv.Itoa(u.LocalAddr().(*net.UDPAddr).Port)
		t, err := lc.Listen(context.Background(), "tcp4", net.JoinHostPort(host, p))
		if err == nil {
			return u, t, nil
		}
		u.Close()
		if port != "0" || try == 10 {
			return nil, nil, fmt.Errorf("dns: listening on tcp %s: %w", net.JoinHostPort(host, p), err)
		}
	}
}

// Addr is the "IP:PORT" the server answers on.
func (s *Server) Addr() string { return s.udp.LocalAddr().String() }

// SetRecords makes r the zone the server answers from. Safe from any
// goroutine.
func (s *Server) SetRecords(r *cdns.Records) { s.records.Store(r) }

// Close stops serving and waits for the listeners' goroutines.
func (s *Server) Close() error {
	s.closed.Store(true)
	err := errors.Join(s.udp.Close(), s.tcp.Close())
	s.wg.Wait()
	return err
}

func (s *Server) serveUDP() {
	defer s.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			if s.closed.Load() {
				return
			}
			fmt.Fprintf(s.cfg.Log, "dns: reading udp: %v\n", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		msg := append([]byte(nil), buf[:n]...)
		select {
		case s.sem <- struct{}{}:
		default:
			continue // overloaded: drop, the client retries
		}
		s.wg.Add(1)
		go func() {
			defer func() { <-s.sem; s.wg.Done() }()
			if out := s.handle(msg, true); out != nil {
				s.udp.WriteTo(out, from)
			}
		}()
	}
}

func (s *Server) serveTCP() {
	defer s.wg.Done()
	for {
		conn, err := s.tcp.Accept()
		if err != nil {
			if s.closed.Load() {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			for !s.closed.Load() {
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				msg, err := readTCP(conn)
				if err != nil {
					return
				}
				out := s.handle(msg, false)
				if out == nil || writeTCP(conn, out) != nil {
					return
				}
			}
		}()
	}
}

// readTCP reads one message framed by its two-byte length (RFC 1035 4.2.2).
func readTCP(r io.Reader) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		return nil, err
	}
	msg := make([]byte, binary.BigEndian.Uint16(l[:]))
	_, err := io.ReadFull(r, msg)
	return msg, err
}

func writeTCP(w io.Writer, msg []byte) error {
	_, err := w.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...))
	return err
}
