// Command gobpftrace-bench measures gobpftrace and, when it is installed,
// bpftrace side by side on the same scripts (testdata/bench) and prints a
// table of figures and ratios: startup, time to attach, peak RSS, per-event
// cost of each program (kernel BPF statistics), translated and JITed
// instruction counts, slowdown of a syscall loop, printf throughput and
// lost events, printing a map of 100,000 keys, and compile time as scripts
// grow. A hand-written reference program (cilium/ebpf asm) is measured for
// the count-by-comm one-liner.
//
//	go run ./cmd/gobpftrace-bench            # from the repository root, as root
//	go run ./cmd/gobpftrace-bench -runs 9    # more repetitions, steadier medians
//
// It reports; it never asserts. See docs/performance.md.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

type config struct {
	gobpftrace, bpftrace string
	scripts              string
	runs                 int
	window               time.Duration
	calls                int
	printfEvents         int
	printfRate           int
	mapKeys              int
	quick                bool
	sections             map[string]bool
}

func main() {
	var c config
	var only string
	flag.StringVar(&c.gobpftrace, "gobpftrace", "", "gobpftrace binary (default: built from ./cmd/gobpftrace)")
	flag.StringVar(&c.bpftrace, "bpftrace", "/usr/bin/bpftrace", "bpftrace binary; empty or missing: measured without it")
	flag.StringVar(&c.scripts, "scripts", "testdata/bench", "directory of the benchmark scripts")
	flag.IntVar(&c.runs, "runs", 5, "repetitions of every measurement (medians are reported)")
	flag.DurationVar(&c.window, "window", 500*time.Millisecond, "per-event measurement window")
	flag.IntVar(&c.calls, "calls", 2_000_000, "getppid calls of the slowdown workload")
	flag.IntVar(&c.printfEvents, "printf-events", 200_000, "events of the printf throughput test")
	flag.IntVar(&c.printfRate, "printf-rate", 50_000, "events a second of the printf test's paced generator")
	flag.IntVar(&c.mapKeys, "map-keys", 100_000, "keys of the map printed at exit")
	flag.BoolVar(&c.quick, "quick", false, "tiny sizes (checks that the command works, measures nothing)")
	flag.StringVar(&only, "only", "", "comma-separated sections: startup,events,slowdown,printf,bigmap,scale,metrics,compile")
	flag.Parse()
	if c.quick {
		c.runs, c.window, c.calls, c.printfEvents, c.mapKeys = 1, 50*time.Millisecond, 20_000, 2_000, 1_000
	}
	c.sections = map[string]bool{}
	for _, s := range strings.Split(only, ",") {
		if s != "" {
			c.sections[s] = true
		}
	}
	if err := run(&c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gobpftrace-bench:", err)
		os.Exit(1)
	}
}

func (c *config) want(section string) bool { return len(c.sections) == 0 || c.sections[section] }

func run(c *config, out io.Writer) error {
	if os.Geteuid() != 0 {
		return errors.New("needs root (it loads eBPF programs)")
	}
	if c.gobpftrace == "" {
		dir, err := os.MkdirTemp("", "gobpftrace-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.gobpftrace = filepath.Join(dir, "gobpftrace")
		// Built as docs/fleet.md's image builds it: static, without cgo
		// (a cgo build links libc for the net package's resolver, 1.3 MiB
		// more resident).
		build := exec.Command("go", "build", "-trimpath", "-o", c.gobpftrace, "./cmd/gobpftrace")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building gobpftrace: %w", err)
		}
	}
	tools := []*tool{{name: "gobpftrace", bin: c.gobpftrace}}
	if c.bpftrace != "" {
		if _, err := os.Stat(c.bpftrace); err == nil {
			tools = append(tools, &tool{name: "bpftrace", bin: c.bpftrace})
		}
	}
	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err != nil {
		return fmt.Errorf("enabling BPF run-time statistics: %w", err)
	}
	defer stats.Close()

	t := &table{tools: tools}
	fmt.Fprintf(out, "# gobpftrace-bench: %d runs, medians; %d CPUs; %s\n", c.runs, runtime.NumCPU(), time.Now().UTC().Format(time.RFC3339))
	if c.want("startup") {
		if err := benchStartup(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("events") {
		if err := benchEvents(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("slowdown") {
		if err := benchSlowdown(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("printf") {
		if err := benchPrintf(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("bigmap") {
		if err := benchBigMap(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("scale") {
		if err := benchScale(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("metrics") {
		if err := benchMetrics(c, t, tools); err != nil {
			return err
		}
	}
	if c.want("compile") {
		benchCompile(c, t)
	}
	t.print(out)
	return nil
}

// median of xs (0 for none).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is (max-min)/median in percent: the noise of a measurement.
func spread(xs []float64) float64 {
	m := median(xs)
	if m == 0 || len(xs) < 2 {
		return 0
	}
	return 100 * (slices.Max(xs) - slices.Min(xs)) / m
}

// A tool is gobpftrace or bpftrace, run as a child process.
type tool struct {
	name, bin string
}

// proc is one running tracer.
type proc struct {
	cmd      *exec.Cmd
	start    time.Time
	attached chan struct{}
	attachAt time.Time
	// attachLine is the tool's "Attached"/"Attaching" line.
	attachLine string
	exited     chan struct{}
	exitAt     time.Time
	// maxRSS is the peak resident set in KiB: the process's VmHWM, read
	// every 2 ms until it exits. Not wait4's ru_maxrss: Go starts a child
	// with vfork (CLONE_VM), and the kernel counts in the child's maxrss
	// the RSS of the mm it left at exec, which is this bench's own (about
	// 13 MiB), so every small figure was the bench's size.
	maxRSS int64
	hwmMu  sync.Mutex

	mu       sync.Mutex
	lines    int       // stdout lines
	lastLine time.Time // when the last stdout line arrived
	lost     []string  // lines reporting lost events
	errText  strings.Builder
	gate     chan struct{} // stdout is read only once gate is closed
	wg       sync.WaitGroup
}

// start runs the tool on a script file. With gated set, stdout is not read
// until ungate is called (the consumer falls behind).
func (t *tool) start(script string, env []string, gated bool) (*proc, error) {
	return t.startArgs([]string{script}, env, gated)
}

// startArgs runs the tool with args.
func (t *tool) startArgs(args []string, env []string, gated bool) (*proc, error) {
	cmd := exec.Command(t.bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, attached: make(chan struct{}), exited: make(chan struct{}), gate: make(chan struct{})}
	if !gated {
		close(p.gate)
	}
	var once sync.Once
	read := func(r io.Reader, isOut bool) {
		defer p.wg.Done()
		if isOut {
			// The attach line comes on stdout for bpftrace; read the first
			// lines before the gate so that it is seen.
		}
		br := bufio.NewReaderSize(r, 1<<16)
		gateDone := !isOut
		for {
			if !gateDone && p.attachSeen() {
				<-p.gate
				gateDone = true
			}
			// ReadSlice: no allocation per line, so that a million lines
			// (bigmap) are not slowed down by this reader.
			raw, err := br.ReadSlice('\n')
			if errors.Is(err, bufio.ErrBufferFull) {
				for errors.Is(err, bufio.ErrBufferFull) {
					_, err = br.ReadSlice('\n') // the rest of a long line
				}
				raw = []byte("(a line longer than 64 KiB)\n") // raw was overwritten
			}
			if len(raw) > 0 {
				now := time.Now()
				if !p.attachSeen() && bytes.Contains(raw, []byte("Attach")) {
					line := string(raw)
					once.Do(func() { p.attachAt, p.attachLine = now, line; close(p.attached) })
				}
				p.mu.Lock()
				if bytes.Contains(raw, []byte("Lost")) || bytes.Contains(raw, []byte("lost")) {
					p.lost = append(p.lost, strings.TrimSpace(string(raw)))
				}
				if isOut {
					p.lines++
					p.lastLine = now
				} else if p.errText.Len() < 4096 {
					p.errText.Write(raw)
				}
				p.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p.wg.Add(3)
	go read(stdout, true)
	go read(stderr, false)
	go p.pollHWM()
	go func() {
		p.wg.Wait()
		cmd.Wait()
		p.exitAt = time.Now()
		close(p.exited)
	}()
	return p, nil
}

// pollHWM keeps maxRSS up to date until the process has released its
// memory (its status then has no VmHWM).
func (p *proc) pollHWM() {
	defer p.wg.Done()
	path := fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid)
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		_, rest, found := bytes.Cut(b, []byte("VmHWM:"))
		if !found {
			return // exiting: the memory is gone
		}
		var kib int64
		fmt.Sscan(string(rest), &kib)
		p.hwmMu.Lock()
		p.maxRSS = max(p.maxRSS, kib)
		p.hwmMu.Unlock()
		time.Sleep(2 * time.Millisecond)
	}
}

func (p *proc) attachSeen() bool {
	select {
	case <-p.attached:
		return true
	default:
		return false
	}
}

func (p *proc) ungate() {
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// waitAttached waits for the "Attached"/"Attaching" line.
func (p *proc) waitAttached() error {
	select {
	case <-p.attached:
		// Let the tool finish what it does after the line (bpftrace prints
		// "Attaching" before attaching).
		time.Sleep(100 * time.Millisecond)
		return nil
	case <-p.exited:
		return fmt.Errorf("%s exited before attaching: %s", p.cmd.Path, p.stderr())
	case <-time.After(30 * time.Second):
		p.kill()
		return fmt.Errorf("%s did not attach in 30s: %s", p.cmd.Path, p.stderr())
	}
}

func (p *proc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.TrimSpace(p.errText.String())
}

// stop sends SIGINT and waits for the process to print and exit; it
// returns how long that took.
func (p *proc) stop() time.Duration {
	p.ungate()
	t0 := time.Now()
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.kill() // counted as 15 s and more
	}
	return p.exitAt.Sub(t0)
}

func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

func (p *proc) wait() { <-p.exited }

// progIDs lists the eBPF programs the process holds (from fdinfo).
func progIDs(pid int) []ebpf.ProgramID {
	var ids []ebpf.ProgramID
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fdinfo", pid))
	for _, fd := range fds {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			var id uint32
			if _, err := fmt.Sscanf(l, "prog_id:\t%d", &id); err == nil && !slices.Contains(ids, ebpf.ProgramID(id)) {
				ids = append(ids, ebpf.ProgramID(id))
			}
		}
	}
	slices.Sort(ids)
	return ids
}

func writeScript(dir, name, text string) (string, error) {
	p := filepath.Join(dir, name)
	return p, os.WriteFile(p, []byte(text), 0o644)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
