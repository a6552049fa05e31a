package containerdrt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/containerd/containerd"
	"github.com/containerd/containerd/cio"
)

// TermSize is a terminal's size in characters.
type TermSize struct{ Width, Height uint16 }

// ExecIO are the streams of an interactive exec. A nil stream is not
// attached. With TTY the process gets a console: its output (stdout and
// stderr together) comes on Stdout, and Resize sets the console's size.
type ExecIO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	TTY            bool
	Resize         <-chan TermSize
}

// ExecStream runs cmd as an extra process in the container's task with the
// streams of s, as `kubectl exec -it` wants, and returns its exit code once
// it has exited and its output is copied. The process is killed when ctx
// ends. An error means the command could not run (no such container, no
// such executable); a command that ran and failed is an exit code.
func (r *Runtime) ExecStream(ctx context.Context, containerID string, cmd []string, s ExecIO) (int, error) {
	if len(cmd) == 0 {
		return -1, errors.New("exec: no command")
	}
	c, err := r.client.LoadContainer(r.callCtx(), containerID)
	if err != nil {
		return -1, fmt.Errorf("container %s: %w", containerID, err)
	}
	spec, err := c.Spec(r.callCtx())
	if err != nil {
		return -1, err
	}
	task, err := c.Task(r.callCtx(), nil)
	if err != nil {
		return -1, fmt.Errorf("container %s is not running: %w", containerID, err)
	}
	// r.ctx carries the containerd namespace; ctx says when to give up.
	rctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	p := *spec.Process
	p.Args = cmd
	p.Terminal = s.TTY
	// containerd copies stdin from a reader until it ends; a pipe we close
	// ourselves lets that copy end when the process exits even if the
	// client never closes its stdin.
	var stdin io.Reader
	var stdinW *io.PipeWriter
	if s.Stdin != nil {
		var pr *io.PipeReader
		pr, stdinW = io.Pipe()
		stdin = pr
	}
	stdout, stderr := s.Stdout, s.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil || s.TTY {
		stderr = io.Discard
	}
	opts := []cio.Opt{cio.WithStreams(stdin, stdout, stderr)}
	if s.TTY {
		opts = append(opts, cio.WithTerminal)
	}
	proc, err := task.Exec(rctx, "exec-"+newID(), &p, cio.NewCreator(opts...))
	if err != nil {
		return -1, fmt.Errorf("exec in container %s: %w", containerID, err)
	}
	defer proc.Delete(r.callCtx(), containerd.WithProcessKill)
	exited, err := proc.Wait(rctx)
	if err != nil {
		return -1, err
	}
	if err := proc.Start(rctx); err != nil {
		return -1, fmt.Errorf("exec %q in container %s: %w", cmd[0], containerID, err)
	}
	if stdinW != nil {
		go func() {
			// When the client's stdin ends, close the process's stdin so
			// that `cat` sees its end of file.
			io.Copy(stdinW, s.Stdin)
			stdinW.Close()
			proc.CloseIO(r.callCtx(), containerd.WithStdinCloser)
		}()
		defer stdinW.Close()
	}
	for {
		select {
		case sz, ok := <-s.Resize:
			if !ok {
				s.Resize = nil
				continue
			}
			if s.TTY {
				proc.Resize(r.callCtx(), uint32(sz.Width), uint32(sz.Height))
			}
		case st := <-exited:
			// Let the copy of the output finish.
			if pio := proc.IO(); pio != nil {
				pio.Wait()
			}
			return int(st.ExitCode()), nil
		case <-rctx.Done():
			proc.Kill(r.callCtx(), syscall.SIGKILL)
			return -1, fmt.Errorf("exec %q in container %s: %w", cmd[0], containerID, ctx.Err())
		}
	}
}
