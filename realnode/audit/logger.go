package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	coreaudit "github.com/tinykube/tinykube/core/audit"
)

// Config is where a Logger writes and how long it keeps what it wrote.
type Config struct {
	// Path is the log file; "-" is standard output (Stdout).
	Path string
	// MaxSizeMB rotates the file once writing a line would take it past
	// this many megabytes (0: never). MaxBackups is how many rotated files
	// are kept (0: all), MaxAgeDays how many days old they may get (0:
	// forever).
	MaxSizeMB, MaxBackups, MaxAgeDays int
	// BlockFor is how long Log waits for room when MaxPendingBytes of
	// events are already waiting for the disk, before it drops the event
	// (default one second). See Logger.
	BlockFor time.Duration
	// MaxPendingBytes bounds the events waiting for the disk (default 32 MiB).
	MaxPendingBytes int
	// Now is the clock backups are named by (nil: time.Now).
	Now func() time.Time
	// Stdout is where "-" writes (nil: os.Stdout).
	Stdout io.Writer
	// Errors receives one line per write failure and per run of dropped
	// events (nil: standard error).
	Errors io.Writer
}

// Logger writes events as JSON lines. It is safe for concurrent use.
//
// Log does not write: it queues the line and returns, and one goroutine
// writes what is queued and flushes it, so requests never wait for the
// disk while it keeps up. kube-apiserver's log backend blocks each request
// on its write by default; a disk that stalls then stalls the API. Here the
// queue is bounded (MaxPendingBytes): a request that finds it full waits
// at most BlockFor for room and then its event is dropped, counted
// (Dropped) and reported on Errors — a slow disk costs requests at most
// BlockFor each, never an unbounded wait, and never unbounded memory.
// Close writes everything queued before it returns.
type Logger struct {
	cfg Config
	out *rotatingFile // nil for standard output
	w   io.Writer

	mu      sync.Mutex
	pending [][]byte
	bytes   int
	closed  bool
	drained chan struct{} // closed (and replaced) each time the writer takes the queue
	dropped int64
	wake    chan struct{}
	done    chan struct{}
}

// Open opens (appending to) or creates the log cfg.Path, with its
// directory, readable by its owner only, and starts the writer.
func Open(cfg Config) (*Logger, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("audit log: no path (give --audit-log-path a file, or - for standard output)")
	}
	if cfg.BlockFor <= 0 {
		cfg.BlockFor = time.Second
	}
	if cfg.MaxPendingBytes <= 0 {
		cfg.MaxPendingBytes = 32 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Errors == nil {
		cfg.Errors = os.Stderr
	}
	l := &Logger{cfg: cfg, drained: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
	if cfg.Path == "-" {
		l.w = cfg.Stdout
		if l.w == nil {
			l.w = os.Stdout
		}
	} else {
		f, err := openRotating(cfg.Path, int64(cfg.MaxSizeMB)<<20, cfg.MaxBackups, cfg.MaxAgeDays, cfg.Now)
		if err != nil {
			return nil, err
		}
		l.out, l.w = f, f
	}
	go l.run()
	return l, nil
}

// Log queues ev to be written as one line. It returns at once unless the
// queue is full, and then after at most Config.BlockFor (dropping ev).
// After Close it drops ev.
func (l *Logger) Log(ev *coreaudit.Event) {
	line, err := json.Marshal(ev)
	if err != nil {
		fmt.Fprintf(l.cfg.Errors, "audit log: encoding the event of %s: %v\n", ev.AuditID, err)
		l.drop()
		return
	}
	line = append(line, '\n')
	var deadline <-chan time.Time
	l.mu.Lock()
	for !l.closed && len(l.pending) > 0 && l.bytes+len(line) > l.cfg.MaxPendingBytes {
		drained := l.drained
		l.mu.Unlock()
		if deadline == nil {
			t := time.NewTimer(l.cfg.BlockFor)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-drained:
		case <-deadline:
			l.drop()
			return
		}
		l.mu.Lock()
	}
	if l.closed {
		l.mu.Unlock()
		l.drop()
		return
	}
	l.pending = append(l.pending, line)
	l.bytes += len(line)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// drop counts an event that was not written, and reports the first of
// each run of drops.
func (l *Logger) drop() {
	l.mu.Lock()
	l.dropped++
	n := l.dropped
	l.mu.Unlock()
	if n == 1 || n%1000 == 0 {
		fmt.Fprintf(l.cfg.Errors, "audit log %s: %d events dropped so far: the disk does not keep up (or the log is closed)\n", l.cfg.Path, n)
	}
}

// Dropped returns how many events were not written.
func (l *Logger) Dropped() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// run writes the queue until Close, then writes what is left and
// returns.
func (l *Logger) run() {
	defer close(l.done)
	for {
		<-l.wake
		for {
			l.mu.Lock()
			batch, closed := l.pending, l.closed
			l.pending, l.bytes = nil, 0
			close(l.drained)
			l.drained = make(chan struct{})
			l.mu.Unlock()
			if len(batch) == 0 {
				if closed {
					return
				}
				break
			}
			l.write(batch)
		}
	}
}

// write writes lines and flushes them; a failure is reported and the
// lines counted as dropped.
func (l *Logger) write(lines [][]byte) {
	for i, line := range lines {
		if _, err := l.w.Write(line); err != nil {
			fmt.Fprintf(l.cfg.Errors, "audit log %s: %v\n", l.cfg.Path, err)
			for range lines[i:] {
				l.drop()
			}
			return
		}
	}
	if l.out != nil {
		if err := l.out.Flush(); err != nil {
			fmt.Fprintf(l.cfg.Errors, "audit log %s: %v\n", l.cfg.Path, err)
		}
	}
}

// Close writes every queued event, closes the file and returns its
// error. Events logged after it are dropped. It may be called twice.
func (l *Logger) Close() error {
	l.mu.Lock()
	already := l.closed
	l.closed = true
	l.mu.Unlock()
	if already {
		<-l.done
		return nil
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
	<-l.done
	if l.out != nil {
		return l.out.Close()
	}
	return nil
}
