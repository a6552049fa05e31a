package kubeletserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"
)

// Port forwarding speaks SPDY/3.1 with Kubernetes' portforward.k8s.io
// protocol: for every connection the client opens two SPDY streams, an
// error stream and a data stream, whose headers carry the same requestID
// and the pod's port. The server dials the port and copies bytes between
// it and the data stream; a failure is written as text on the error
// stream. Current kubectl carries the SPDY session inside a WebSocket
// (subprotocol "SPDY/3.1+portforward.k8s.io", each binary message a piece
// of the SPDY byte stream) and falls back to a plain SPDY upgrade. Both
// arrive here. The SPDY framing is k8s.io/streaming's, the library
// kubectl itself uses, so both ends agree on a protocol with no spec
// beyond its code.
const (
	portForwardProtocol = "portforward.k8s.io"
	spdyTunnelPrefix    = "SPDY/3.1+"
	pfIdleTimeout       = 4 * time.Hour
)

// servePortForward upgrades to a port-forward session on the pod's network.
func (s *Server) servePortForward(w http.ResponseWriter, r *http.Request) {
	ns, pod := r.PathValue("namespace"), r.PathValue("pod")
	sess := &pfSession{ns: ns, pod: pod, backend: s.backend, pairs: map[string]*pfPair{}}
	if websocket.IsWebSocketUpgrade(r) {
		proto := spdyTunnelPrefix + portForwardProtocol
		if !offers(r, []string{proto}) {
			writeError(w, badRequestf("port-forward over WebSocket speaks the subprotocol %s; the request offers %q", proto, r.Header.Get("Sec-WebSocket-Protocol")))
			return
		}
		up := websocket.Upgrader{Subprotocols: []string{proto}, CheckOrigin: func(*http.Request) bool { return true }}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		conn, err := spdy.NewServerConnection(&wsNetConn{ws: ws}, sess.newStream)
		if err != nil {
			ws.Close()
			return
		}
		sess.serve(conn)
		return
	}
	if _, err := httpstream.Handshake(r, w, []string{portForwardProtocol}); err != nil {
		return // Handshake has answered 403 naming the protocols
	}
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, sess.newStream)
	if conn == nil {
		return // the upgrader has answered
	}
	sess.serve(conn)
}

// pfSession is one client's port-forward connection to one pod.
type pfSession struct {
	ns, pod string
	backend Backend
	conn    httpstream.Connection

	mu    sync.Mutex
	pairs map[string]*pfPair // by requestID, until both streams came
}

type pfPair struct {
	port        int
	data, error httpstream.Stream
}

func (p *pfSession) serve(conn httpstream.Connection) {
	p.mu.Lock()
	p.conn = conn
	p.mu.Unlock()
	conn.SetIdleTimeout(pfIdleTimeout)
	<-conn.CloseChan()
	conn.Close()
}

// newStream files a stream the client opened under its requestID and
// starts forwarding once both streams of a request are here. It runs on
// the connection's reading goroutine, so it must not block.
func (p *pfSession) newStream(st httpstream.Stream, replySent <-chan struct{}) error {
	h := st.Headers()
	port, err := strconv.Atoi(h.Get("port"))
	if err != nil || port <= 0 || port > 65535 {
		return fmt.Errorf("port-forward stream: port header %q: want a port number 1-65535", h.Get("port"))
	}
	id := h.Get("requestID")
	p.mu.Lock()
	defer p.mu.Unlock()
	pair := p.pairs[id]
	if pair == nil {
		pair = &pfPair{port: port}
		p.pairs[id] = pair
	}
	switch h.Get("streamType") {
	case "data":
		pair.data = st
	case "error":
		pair.error = st
	default:
		return fmt.Errorf("port-forward stream: streamType %q: want data or error", h.Get("streamType"))
	}
	if pair.data != nil && pair.error != nil {
		delete(p.pairs, id)
		go func() {
			<-replySent
			p.forward(pair)
		}()
	}
	return nil
}

// forward connects one client connection to the pod's port: bytes both
// ways until either side ends, then both streams are closed.
func (p *pfSession) forward(pair *pfPair) {
	defer func() {
		p.mu.Lock()
		conn := p.conn
		p.mu.Unlock()
		if conn != nil {
			conn.RemoveStreams(pair.data, pair.error)
		}
	}()
	defer pair.error.Close()
	defer pair.data.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	target, err := p.backend.DialPod(ctx, p.ns, p.pod, pair.port)
	cancel()
	if err != nil {
		fmt.Fprintf(pair.error, "error forwarding port %d to pod %s/%s: %v", pair.port, p.ns, p.pod, err)
		return
	}
	defer target.Close()
	go func() {
		io.Copy(target, pair.data)
		if tc, ok := target.(interface{ CloseWrite() error }); ok {
			tc.CloseWrite() // the client is done sending
		}
	}()
	io.Copy(pair.data, target)
}

// wsNetConn is a WebSocket seen as a byte stream, as the SPDY tunnel
// needs: writes become binary messages, reads run across messages.
type wsNetConn struct {
	ws  *websocket.Conn
	r   io.Reader
	wmu sync.Mutex
}

func (c *wsNetConn) Read(p []byte) (int, error) {
	for {
		if c.r == nil {
			typ, r, err := c.ws.NextReader()
			if err != nil {
				if websocket.IsCloseError(err, websocket.CloseNormalClosure) {
					return 0, io.EOF
				}
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				continue
			}
			c.r = r
		}
		n, err := c.r.Read(p)
		if err == io.EOF {
			c.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (c *wsNetConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *wsNetConn) Close() error {
	c.wmu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	return c.ws.Close()
}

func (c *wsNetConn) LocalAddr() net.Addr  { return c.ws.LocalAddr() }
func (c *wsNetConn) RemoteAddr() net.Addr { return c.ws.RemoteAddr() }
func (c *wsNetConn) SetDeadline(t time.Time) error {
	c.ws.SetReadDeadline(t)
	return c.ws.SetWriteDeadline(t)
}
func (c *wsNetConn) SetReadDeadline(t time.Time) error  { return c.ws.SetReadDeadline(t) }
func (c *wsNetConn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }
