package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/containerd/containerd"
	"github.com/spf13/cobra"
	"github.com/tinykube/tinykube/realnode/containerdrt"
	"github.com/tinykube/tinykube/realnode/testimage"
)

func (c *cli) imageCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Build and load container images without a registry",
	}
	cmd.AddCommand(c.imageBuildCommand(), c.imageImportCommand())
	return cmd
}

func (c *cli) imageBuildCommand() *cobra.Command {
	var opts testimage.Options
	var out string
	cmd := &cobra.Command{
		Use:   "build -o FILE.tar",
		Short: "Build a small busybox image (sh, httpd, sleep, wget …) as an OCI archive",
		Long: `Build an OCI image archive from the machine's statically linked busybox
(Debian: apt-get install busybox-static). No registry or Docker is needed; load
the result with 'tinykube image import FILE.tar'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("say where to write the archive: -o FILE.tar")
			}
			if err := testimage.BuildFile(out, opts); err != nil {
				return err
			}
			st, _ := os.Stat(out)
			name := opts.Name
			if name == "" {
				name = testimage.DefaultName
			}
			fmt.Fprintf(c.stdout, "built %s (%s) in %s\n", name, humanBytes(st.Size()), out)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the archive to write")
	cmd.Flags().StringVar(&opts.Busybox, "busybox", testimage.DefaultBusybox, "the static busybox binary to package")
	cmd.Flags().StringVar(&opts.Name, "name", testimage.DefaultName, "the image's name")
	return cmd
}

func (c *cli) imageImportCommand() *cobra.Command {
	var socket, ns, snapshotter string
	cmd := &cobra.Command{
		Use:   "import FILE.tar...",
		Short: "Load OCI or Docker image archives into the node's containerd",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if socket == "" {
				// The system's containerd, else the private one `up` starts.
				socket = containerdrt.DefaultSocket
				if private := filepath.Join(defaultDataDir(), "containerd", "containerd.sock"); containerdrt.Ping(socket) != nil && containerdrt.Ping(private) == nil {
					socket = private
				}
			}
			cl, err := containerdrt.Dial(socket, 10*time.Second)
			if err != nil {
				return err
			}
			defer cl.Close()
			for _, path := range args {
				if err := importArchive(c, cl, ns, snapshotter, path); err != nil {
					return err
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&socket, "containerd-socket", "", "containerd's socket (default: "+containerdrt.DefaultSocket+", else the private one `tinykube up` started)")
	fl.StringVar(&ns, "containerd-namespace", "tinykube", "the node's containerd namespace")
	fl.StringVar(&snapshotter, "snapshotter", "", "the snapshotter to unpack for (containerd's default when empty)")
	return cmd
}

// importArchive loads one archive, saying what it is doing: an import
// unpacks every layer and can take a while.
func importArchive(c *cli, cl *containerd.Client, ns, snapshotter, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, _ := f.Stat()
	start := time.Now()
	fmt.Fprintf(c.stdout, "importing %s (%s) into containerd namespace %q…\n", filepath.Base(path), humanBytes(st.Size()), ns)
	_, err = containerdrt.Import(cl, ns, snapshotter, f, func(r containerdrt.ImportResult) {
		fmt.Fprintf(c.stdout, "  %s  %s  unpacked (%s)\n", r.Name, shortDigest(r.Digest), humanBytes(r.Size))
	})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(c.stdout, "done in %.1fs\n", time.Since(start).Seconds())
	return nil
}

func shortDigest(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
