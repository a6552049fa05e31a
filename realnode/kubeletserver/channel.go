package kubeletserver

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The channel protocol of `kubectl exec` and `kubectl attach` over
// WebSocket (Kubernetes' v4.channel.k8s.io and v5.channel.k8s.io): every
// binary message starts with one byte naming its channel, and the rest is
// that channel's bytes. The error channel carries one Status at the end;
// the resize channel a stream of {"Width":W,"Height":H} objects. v5 adds a
// message [255, ch] that closes channel ch (the client's stdin ending).
const (
	chanStdin  = 0
	chanStdout = 1
	chanStderr = 2
	chanError  = 3
	chanResize = 4
	chanClose  = 255

	protocolV5 = "v5.channel.k8s.io"
	protocolV4 = "v4.channel.k8s.io"
)

// channelProtocols are the subprotocols exec and attach speak, best first.
var channelProtocols = []string{protocolV5, protocolV4}

// writeWait bounds one write to a client that stopped reading.
const writeWait = 60 * time.Second

// channelConn is one upgraded exec or attach connection. Writes from the
// output copiers are serialised; reads happen on one goroutine (demux).
type channelConn struct {
	ws *websocket.Conn
	mu sync.Mutex

	stdin  *io.PipeReader
	stdinW *io.PipeWriter
	resize chan TermSize
	done   chan struct{} // closed when the client's side ends
}

// upgradeChannels accepts a WebSocket upgrade that offers one of the
// channel protocols, or answers 400 naming them. withStdin says whether
// the client asked for stdin (only then is channel 0 read).
func upgradeChannels(w http.ResponseWriter, r *http.Request, withStdin bool) (*channelConn, bool) {
	if !offers(r, channelProtocols) {
		writeError(w, badRequestf("exec and attach speak the WebSocket subprotocols %s; the request offers %q",
			strings.Join(channelProtocols, ", "), r.Header.Get("Sec-WebSocket-Protocol")))
		return nil, false
	}
	up := websocket.Upgrader{Subprotocols: channelProtocols, CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return nil, false // the upgrader has answered
	}
	c := &channelConn{ws: ws, resize: make(chan TermSize, 4), done: make(chan struct{})}
	if withStdin {
		c.stdin, c.stdinW = io.Pipe()
	}
	go c.demux()
	return c, true
}

// offers reports whether r asks for one of protocols.
func offers(r *http.Request, protocols []string) bool {
	for _, p := range websocket.Subprotocols(r) {
		for _, q := range protocols {
			if p == q {
				return true
			}
		}
	}
	return false
}

// demux reads the client's messages until the connection ends: stdin
// bytes to the stdin pipe, sizes to the resize channel, v5 close signals
// to the pipe's end. Reading also answers the client's pings.
func (c *channelConn) demux() {
	defer close(c.done)
	defer close(c.resize)
	defer func() {
		if c.stdinW != nil {
			c.stdinW.Close()
		}
	}()
	var resizeBuf []byte
	for {
		typ, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ != websocket.BinaryMessage || len(msg) == 0 {
			continue
		}
		switch msg[0] {
		case chanStdin:
			if c.stdinW != nil {
				c.stdinW.Write(msg[1:])
			}
		case chanResize:
			// Sizes are JSON objects, one after another; a message may
			// hold a part of one.
			resizeBuf = append(resizeBuf, msg[1:]...)
			dec := json.NewDecoder(strings.NewReader(string(resizeBuf)))
			for {
				var sz TermSize
				if dec.Decode(&sz) != nil {
					break
				}
				resizeBuf = resizeBuf[dec.InputOffset():]
				select {
				case c.resize <- sz:
				default: // the process is slow to resize; a later size wins
				}
			}
		case chanClose:
			if len(msg) > 1 && msg[1] == chanStdin && c.stdinW != nil {
				c.stdinW.Close()
			}
		}
	}
}

// writer returns an io.Writer onto channel ch.
func (c *channelConn) writer(ch byte) io.Writer { return channelWriter{c, ch} }

type channelWriter struct {
	c  *channelConn
	ch byte
}

func (w channelWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	w.c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	msg := make([]byte, 1+len(p))
	msg[0] = w.ch
	copy(msg[1:], p)
	if err := w.c.ws.WriteMessage(websocket.BinaryMessage, msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish writes the final Status on the error channel and closes the
// connection normally, which the client reads as the end of every stream.
func (c *channelConn) finish(st any) {
	if c.stdin != nil {
		c.stdin.Close() // demux's writes of late stdin now fail instead of blocking
	}
	b, _ := json.Marshal(st)
	c.writer(chanError).Write(b)
	c.mu.Lock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.mu.Unlock()
	// Give the client a moment to read and answer the close.
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
	c.ws.Close()
}
