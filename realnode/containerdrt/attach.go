package containerdrt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
	"github.com/containerd/containerd/oci"

	"github.com/tinykube/tinykube/core/kubelet"
)

// A container started with stdin (spec.containers[].stdin) gets a FIFO as
// its stdin, and one with tty a terminal. containerd's shim holds a
// writing end of the FIFO itself for the container's whole run, so the
// process does not read end of file while nobody is attached, and an
// agent restart does not close it. An attach opens the FIFO, copies the
// client's bytes into it and closes it again (Attach). With stdinOnce the
// agent then asks the shim to close its end too (CloseIO), and the
// process reads end of file; a later attach finds no reader and is told
// so.
//
// Output still goes to the log file, where logs and attach read it.
// Without a terminal the shim writes the file itself (as for every other
// container). The shim cannot write a terminal's output to a file, only to
// a FIFO, so for a tty the agent copies that FIFO into the log file; an
// agent that restarts starts that copy again (adoptTerminals).

// Labels that record how a container was created.
const (
	labelStdin = "tinykube.io/stdin" // "true", or "once" for stdinOnce
	labelTTY   = "tinykube.io/tty"   // "true"
)

// stdioLabels are the labels and spec options that CreateContainer adds
// for cfg's stdin and terminal.
func stdioLabels(cfg kubelet.ContainerConfig) (map[string]string, []oci.SpecOpts) {
	l := map[string]string{}
	var opts []oci.SpecOpts
	switch {
	case cfg.Stdin && cfg.StdinOnce:
		l[labelStdin] = "once"
	case cfg.Stdin:
		l[labelStdin] = "true"
	}
	if cfg.TTY {
		l[labelTTY] = "true"
		opts = append(opts, oci.WithTTY)
	}
	return l, opts
}

// stdioDir holds the FIFOs of container id.
func (r *Runtime) stdioDir(id string) string {
	return filepath.Join(filepath.Dir(r.cfg.LogDir), "stdio", id)
}

// attachableIO makes the FIFOs of a container started with stdin or a
// terminal, opens the agent's ends, and returns the creator for its task
// and a function to call once the task exists (or failed to be made:
// pass nil). labels are the container's.
func (r *Runtime) attachableIO(id string, labels map[string]string) (cio.Creator, func(task containerd.Task), error) {
	dir := r.stdioDir(id)
	os.RemoveAll(dir) // left by an earlier start of the same container
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	logURI, err := cio.LogURIGenerator("file", labels[labelLogPath], nil)
	if err != nil {
		return nil, nil, err
	}
	cfg := cio.Config{Stdout: logURI.String(), Stderr: logURI.String(), Terminal: labels[labelTTY] == "true"}
	var out *ttyOutput
	fail := func(err error) (cio.Creator, func(containerd.Task), error) {
		out.close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if labels[labelStdin] != "" {
		cfg.Stdin = filepath.Join(dir, "stdin")
		if err := syscall.Mkfifo(cfg.Stdin, 0o600); err != nil {
			return fail(fmt.Errorf("container %s: stdin FIFO: %w", id, err))
		}
	}
	if cfg.Terminal {
		cfg.Stdout, cfg.Stderr = filepath.Join(dir, "tty"), ""
		if err := syscall.Mkfifo(cfg.Stdout, 0o600); err != nil {
			return fail(fmt.Errorf("container %s: terminal FIFO: %w", id, err))
		}
		if out, err = openTTYOutput(cfg.Stdout, labels[labelLogPath]); err != nil {
			return fail(fmt.Errorf("container %s: terminal output: %w", id, err))
		}
	}
	started := func(task containerd.Task) {
		if task == nil {
			fail(nil)
			return
		}
		if out != nil {
			go out.copy()
			go r.untilExit(task, out)
		}
	}
	return func(string) (cio.IO, error) { return fixedIO{cfg}, nil }, started, nil
}

// untilExit waits for task to exit, then ends the copy of its terminal's
// output.
func (r *Runtime) untilExit(task containerd.Task, out *ttyOutput) {
	if exited, err := task.Wait(r.ctx); err == nil {
		select {
		case <-exited:
		case <-r.ctx.Done():
		}
	}
	out.finish()
}

// fixedIO is a task's IO given as paths that the shim opens itself; the
// agent copies nothing through it.
type fixedIO struct{ cfg cio.Config }

func (f fixedIO) Config() cio.Config { return f.cfg }
func (fixedIO) Cancel()              {}
func (fixedIO) Wait()                {}
func (fixedIO) Close() error         { return nil }

// ttyOutput copies a terminal's output FIFO into the log file. keep is a
// writing end the agent holds so that the reader does not see end of file
// before the shim opens the FIFO; it is closed when the task exits, and
// the copy ends once the shim has closed its end too.
type ttyOutput struct {
	in, keep, log *os.File
	done          chan struct{}
}

func openTTYOutput(fifo, logPath string) (*ttyOutput, error) {
	in, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	keep, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		in.Close()
		return nil, err
	}
	log, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		in.Close()
		keep.Close()
		return nil, err
	}
	return &ttyOutput{in: in, keep: keep, log: log, done: make(chan struct{})}, nil
}

func (o *ttyOutput) copy() {
	defer close(o.done)
	io.Copy(o.log, o.in)
	o.in.Close()
	o.log.Close()
}

// finish ends the copy once what the process wrote is in the log file.
func (o *ttyOutput) finish() {
	if o == nil {
		return
	}
	o.keep.Close()
	// The shim closes its end when the terminal is gone; should it not,
	// stop reading a little later.
	o.in.SetReadDeadline(time.Now().Add(5 * time.Second))
	<-o.done
}

// close releases a ttyOutput whose copy never started.
func (o *ttyOutput) close() {
	if o == nil {
		return
	}
	o.in.Close()
	o.keep.Close()
	o.log.Close()
}

// ErrNoStdin says a container takes no input: it was created without
// stdin, or its stdin was closed after the first attach (stdinOnce).
var ErrNoStdin = errors.New("no stdin")

// AttachInfo says whether container id's current run takes input on
// stdin now, and whether it has a terminal.
func (r *Runtime) AttachInfo(id string) (stdin, tty bool, err error) {
	labels, err := r.labels(id)
	if err != nil {
		return false, false, err
	}
	if labels[labelStdin] != "" {
		// Not by opening the FIFO to see: closing that writing end can
		// be the last writer closing, which is end of file to the
		// process before anyone attached.
		_, errFIFO := os.Stat(filepath.Join(r.stdioDir(id), "stdin"))
		_, errClosed := os.Stat(r.stdinClosedMarker(id))
		stdin = errFIFO == nil && errors.Is(errClosed, fs.ErrNotExist)
	}
	return stdin, labels[labelTTY] == "true", nil
}

func (r *Runtime) labels(id string) (map[string]string, error) {
	c, err := r.client.LoadContainer(r.callCtx(), id)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	return c.Labels(r.callCtx())
}

// stdinClosedMarker is the file that says container id's stdin was
// closed after its one attach (stdinOnce).
func (r *Runtime) stdinClosedMarker(id string) string {
	return filepath.Join(r.stdioDir(id), "stdin-closed")
}

// openStdin opens the stdin FIFO of container id for writing. It fails
// at once (ENXIO) when nobody reads it: the shim closed it (stdinOnce),
// or the container has exited.
func (r *Runtime) openStdin(id string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(r.stdioDir(id), "stdin"), os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w (%v)", id, ErrNoStdin, err)
	}
	return f, nil
}

// Attach copies stdin into the stdin of container id until stdin ends
// or fails, and sets its terminal to each size from resize (if it has
// one). With stdinOnce the container's stdin is closed when Attach
// returns, and the process reads end of file. It returns ErrNoStdin
// (wrapped) if the container takes no input; with a nil stdin it only
// follows resize until that is closed.
func (r *Runtime) Attach(id string, stdin io.Reader, resize <-chan TermSize) error {
	labels, err := r.labels(id)
	if err != nil {
		return err
	}
	var w *os.File
	if stdin != nil {
		if labels[labelStdin] == "" {
			return fmt.Errorf("container %s: %w", id, ErrNoStdin)
		}
		if w, err = r.openStdin(id); err != nil {
			return err
		}
		defer w.Close()
	}
	var task containerd.Task
	if c, err := r.client.LoadContainer(r.callCtx(), id); err == nil {
		task, _ = c.Task(r.callCtx(), nil)
	}
	resizeDone := make(chan struct{})
	go func() {
		defer close(resizeDone)
		for sz := range resize {
			if task != nil && labels[labelTTY] == "true" {
				task.Resize(r.callCtx(), uint32(sz.Width), uint32(sz.Height))
			}
		}
	}()
	if stdin == nil {
		<-resizeDone
		return nil
	}
	_, err = io.Copy(w, stdin)
	if labels[labelStdin] == "once" && task != nil {
		w.Close()
		// The shim holds a writing end of its own; only it can let the
		// process see the end.
		if cerr := task.CloseIO(r.callCtx(), containerd.WithStdinCloser); cerr != nil && err == nil {
			err = fmt.Errorf("container %s: closing stdin: %w", id, cerr)
		}
		if f, cerr := os.Create(r.stdinClosedMarker(id)); cerr == nil {
			f.Close()
		}
	}
	return err
}

// adoptTerminals starts again the output copy of the terminals of
// containers that run on from before this Runtime (the agent restarted):
// without it a terminal's output would stall once its FIFO is full.
func (r *Runtime) adoptTerminals() {
	_, cs, err := r.List()
	if err != nil {
		return
	}
	for _, c := range cs {
		if c.State != kubelet.StateRunning {
			continue
		}
		ctr, err := r.client.LoadContainer(r.callCtx(), c.ID)
		if err != nil {
			continue
		}
		labels, err := ctr.Labels(r.callCtx())
		if err != nil || labels[labelTTY] != "true" {
			continue
		}
		task, err := ctr.Task(r.callCtx(), nil)
		if err != nil {
			continue
		}
		out, err := openTTYOutput(filepath.Join(r.stdioDir(c.ID), "tty"), labels[labelLogPath])
		if err != nil {
			continue
		}
		go out.copy()
		go r.untilExit(task, out)
	}
}
