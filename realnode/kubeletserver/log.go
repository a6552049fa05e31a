package kubeletserver

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"time"

	"github.com/tinykube/tinykube/core/api"
)

// serveLog writes a container's log file: from its start, or its last
// tailLines lines; with follow, it then polls the file and sends what is
// appended until the run stops, the client goes away, or limitBytes is
// reached.
func (s *Server) serveLog(w http.ResponseWriter, r *http.Request) {
	opts, err := api.ParsePodLogOptions(r.URL.Query())
	if err != nil {
		writeError(w, badRequest(err))
		return
	}
	path, running, err := s.backend.Log(LogRequest{
		Namespace: r.PathValue("namespace"),
		Pod:       r.PathValue("pod"),
		Container: r.PathValue("container"),
		Previous:  opts.Previous,
	})
	if err != nil {
		writeError(w, err)
		return
	}
	f, err := os.Open(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		writeError(w, err)
		return
	}
	// A run that has written nothing may have no file yet: its log is
	// empty, and a follower waits for the file to appear.
	fl := &follower{path: path, f: f, left: opts.LimitBytes}
	defer fl.close()
	if f != nil {
		if opts.HasTail {
			fi, err := f.Stat()
			if err == nil {
				fl.offset, err = tailOffset(f, fi.Size(), opts.TailLines)
			}
			if err != nil {
				writeError(w, err)
				return
			}
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		// Send the headers now: a follower may wait long for the first line.
		flusher.Flush()
	}
	var tick *time.Ticker
	for {
		// Ask before reading: bytes written before the run stopped are
		// then sure to be read by the drain below.
		alive := opts.Follow && running != nil && running()
		n, err := fl.drain(w)
		if n > 0 && flusher != nil {
			flusher.Flush()
		}
		if err != nil || !alive || fl.full() {
			return
		}
		if tick == nil {
			tick = time.NewTicker(s.poll)
			defer tick.Stop()
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// follower reads a log file from an offset, opening it when it appears.
type follower struct {
	path   string
	f      *os.File // nil until the file exists
	offset int64
	left   int64 // bytes still allowed; 0 means no limit
	capped bool  // a limit was set and is used up
}

// drain copies everything between the offset and the end of the file to
// w. An error is the client's (a failed write) or the file's.
func (fl *follower) drain(w io.Writer) (int64, error) {
	if fl.f == nil {
		f, err := os.Open(fl.path)
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		fl.f = f
	}
	// A file shorter than what was read was truncated (copytruncate
	// rotation): start again from its beginning.
	if fi, err := fl.f.Stat(); err == nil && fi.Size() < fl.offset {
		fl.offset = 0
	}
	var src io.Reader = io.NewSectionReader(fl.f, fl.offset, 1<<62)
	if fl.left > 0 {
		src = io.LimitReader(src, fl.left)
	}
	n, err := io.Copy(w, src)
	fl.offset += n
	if fl.left > 0 {
		fl.left -= n
		fl.capped = fl.left == 0
	}
	return n, err
}

func (fl *follower) full() bool { return fl.capped }

func (fl *follower) close() {
	if fl.f != nil {
		fl.f.Close()
	}
}
