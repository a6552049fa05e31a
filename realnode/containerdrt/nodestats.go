package containerdrt

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/core/kubelet"
)

// userHZ is the unit of /proc/stat's CPU times: Linux reports them in
// clock ticks of USER_HZ, which is 100 on every architecture tinykube
// runs on whatever the kernel's own HZ (`getconf CLK_TCK` prints it).
const userHZ = 100

// NodeStats implements kubelet.StatsProvider: the whole machine's use, as
// the kernel counts it. CPU is the busy time of all CPUs since boot
// (/proc/stat); memory's working set is what is not available to new
// work without swapping, MemTotal less MemAvailable (/proc/meminfo).
func (r *Runtime) NodeStats() (kubelet.NodeUsage, error) {
	at := time.Now()
	cpu, err := readFile("/proc/stat", parseProcStatCPU)
	if err != nil {
		return kubelet.NodeUsage{}, err
	}
	mem, err := readFile("/proc/meminfo", parseMeminfo)
	if err != nil {
		return kubelet.NodeUsage{}, err
	}
	return kubelet.NodeUsage{Time: at, CPUCoreNanoSeconds: cpu,
		MemoryWorkingSetBytes: workingSet(mem.total, mem.available), MemoryAvailableBytes: mem.available}, nil
}

// readFile opens path and parses it with parse, naming the file in an
// error.
func readFile[T any](path string, parse func(io.Reader) (T, error)) (T, error) {
	var zero T
	f, err := os.Open(path)
	if err != nil {
		return zero, fmt.Errorf("measuring the node: %w", err)
	}
	defer f.Close()
	v, err := parse(f)
	if err != nil {
		return zero, fmt.Errorf("measuring the node: %s: %w", path, err)
	}
	return v, nil
}

// parseProcStatCPU reads /proc/stat's first line, the sum over all CPUs
//
//	cpu  user nice system idle iowait irq softirq steal guest guest_nice
//
// and returns the busy time in core-nanoseconds: user, nice, system, irq,
// softirq and steal (not idle nor iowait; guest and guest_nice are already
// inside user and nice). Kernels before 2.6.33 give fewer fields; the
// missing ones count as zero.
func parseProcStatCPU(r io.Reader) (uint64, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("empty, want a first line \"cpu  user nice system idle ...\"")
	}
	f := strings.Fields(sc.Text())
	if len(f) < 5 || f[0] != "cpu" {
		return 0, fmt.Errorf("first line %q is not \"cpu  user nice system idle ...\"", sc.Text())
	}
	var ticks uint64
	// Fields after "cpu": 1 user, 2 nice, 3 system, 4 idle, 5 iowait,
	// 6 irq, 7 softirq, 8 steal.
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		if i >= len(f) {
			continue
		}
		n, err := strconv.ParseUint(f[i], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("field %d of %q: %w", i, sc.Text(), err)
		}
		ticks += n
	}
	return ticks * (uint64(time.Second) / userHZ), nil
}

// meminfo is what NodeStats needs of /proc/meminfo, in bytes.
type meminfo struct{ total, available uint64 }

// parseMeminfo reads MemTotal and MemAvailable (kernels since 3.14) from
// /proc/meminfo's "Name:   value kB" lines.
func parseMeminfo(r io.Reader) (meminfo, error) {
	var m meminfo
	var haveTotal, haveAvail bool
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "MemTotal" && name != "MemAvailable") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return meminfo{}, fmt.Errorf("line %q is not \"%s: N kB\"", sc.Text(), name)
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return meminfo{}, fmt.Errorf("line %q: %w", sc.Text(), err)
		}
		if name == "MemTotal" {
			m.total, haveTotal = n*1024, true
		} else {
			m.available, haveAvail = n*1024, true
		}
	}
	if err := sc.Err(); err != nil {
		return meminfo{}, err
	}
	if !haveTotal || !haveAvail {
		return meminfo{}, fmt.Errorf("no MemTotal or no MemAvailable line (MemAvailable needs Linux 3.14 or later)")
	}
	return m, nil
}
