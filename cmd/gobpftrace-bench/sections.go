package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// Startup: `BEGIN { exit(); }` start to exit, and the one-liner's time to
// its attach line; peak RSS of both.
func benchStartup(c *config, t *table, tools []*tool) error {
	begin := filepath.Join(c.scripts, "begin_exit.bt")
	count := filepath.Join(c.scripts, "count.bt")
	total, attach, first := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	rssBegin, rssCount := map[string][]float64{}, map[string][]float64{}
	for r := 0; r < c.runs; r++ {
		for _, tl := range tools {
			p, err := tl.start(begin, nil, false)
			if err != nil {
				return err
			}
			p.wait()
			total[tl.name] = append(total[tl.name], ms(p.exitAt.Sub(p.start)))
			rssBegin[tl.name] = append(rssBegin[tl.name], float64(p.maxRSS)/1024)

			p, err = tl.start(count, nil, false)
			if err != nil {
				return err
			}
			fe := firstEvent(p)
			if err := p.waitAttached(); err != nil {
				return err
			}
			attach[tl.name] = append(attach[tl.name], ms(p.attachAt.Sub(p.start)))
			if fe > 0 {
				first[tl.name] = append(first[tl.name], ms(fe))
			}
			workFor("getppid", c.window)
			p.stop()
			rssCount[tl.name] = append(rssCount[tl.name], float64(p.maxRSS)/1024)
		}
	}
	t.ratioRow("startup", "BEGIN { exit(); } total (ms)", total, "<= 1/10", 0.1)
	t.ratioRow("startup", "count.bt: start to attach line (ms)", attach, "<= 1/10", 0.1)
	t.ratioRow("startup", "count.bt: start to first event counted (ms)", first, "<= 1/10", 0.1)
	t.ratioRow("rss", "BEGIN { exit(); } peak RSS (MiB)", rssBegin, "<= 1/4", 0.25)
	t.ratioRow("rss", "count.bt traced, peak RSS (MiB)", rssCount, "<= 1/4", 0.25)
	t.absRow("rss", "count.bt traced, peak RSS (MiB), absolute", rssCount, "<= 10 MiB", 10)
	return nil
}

// benchScripts are the per-event benchmarks and the workload each needs.
// Strings: gobpftrace's default max_strlen is v0.26's 1024 bytes,
// bpftrace 0.17's is 64; the second str.bt row sets 64 for both.
var strlen64 = []string{"BPFTRACE_MAX_STRLEN=64", "BPFTRACE_STRLEN=64"}

var benchScripts = []struct {
	file, load string
	env        []string
}{
	{"count.bt", "getppid", nil},
	{"sum.bt", "getppid", nil},
	{"hist.bt", "getppid", nil},
	{"lhist.bt", "getppid", nil},
	{"predicate.bt", "getppid", nil},
	{"printf.bt", "getppid", nil},
	{"str.bt", "openat", nil},
	{"str.bt", "openat", strlen64},
	{"multikey.bt", "getppid", nil},
	{"tuple.bt", "getppid", nil},
	{"ternary.bt", "getppid", nil},
	{"openat_cat.bt", "openat", nil},
}

type progCounts struct {
	xlated, jited, jitedBytes int
	tag                       string
}

// measureProgs returns the tracepoint programs among ids, with their
// statistics.
func progStats(ids []ebpf.ProgramID) (progs []*ebpf.Program) {
	for _, id := range ids {
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue
		}
		if p.Type() != ebpf.TracePoint {
			p.Close()
			continue
		}
		progs = append(progs, p)
	}
	return progs
}

func sample(progs []*ebpf.Program) (ns time.Duration, n uint64) {
	for _, p := range progs {
		if s, err := p.Stats(); err == nil {
			ns += s.Runtime
			n += s.RunCount
		}
	}
	return ns, n
}

// perEvent measures ns per run of progs over a workload window.
func perEvent(progs []*ebpf.Program, load string, window time.Duration) float64 {
	ns0, n0 := sample(progs)
	workFor(load, window)
	ns1, n1 := sample(progs)
	if n1 == n0 {
		return 0
	}
	return float64(ns1-ns0) / float64(n1-n0)
}

func counts(progs []*ebpf.Program) (c progCounts) {
	for _, p := range progs {
		info, err := p.Info()
		if err != nil {
			continue
		}
		if n, err := info.TranslatedSize(); err == nil {
			c.xlated += n / 8
		}
		if n, err := info.JitedSize(); err == nil {
			c.jitedBytes += int(n)
		}
		if b, ok := info.JitedInsns(); ok {
			c.jited += countX86(b)
		}
		c.tag += info.Tag
	}
	return c
}

var objdumpInsn = regexp.MustCompile(`(?m)^\s+[0-9a-f]+:\t`)

// countX86 counts machine instructions in JITed code with objdump, -1
// when objdump is missing.
func countX86(code []byte) int {
	f, err := os.CreateTemp("", "jited")
	if err != nil {
		return -1
	}
	defer os.Remove(f.Name())
	f.Write(code)
	f.Close()
	out, err := exec.Command("objdump", "-D", "-b", "binary", "-mi386:x86-64", f.Name()).Output()
	if err != nil {
		return -1
	}
	return len(objdumpInsn.FindAll(out, -1))
}

func benchEvents(c *config, t *table, tools []*tool) error {
	ref, err := newReference()
	if err != nil {
		return fmt.Errorf("reference program: %w", err)
	}
	defer ref.Close()
	for _, s := range benchScripts {
		script := filepath.Join(c.scripts, s.file)
		cost := map[string][]float64{}
		cnt := map[string]progCounts{}
		for r := 0; r < c.runs; r++ {
			for _, tl := range tools {
				p, err := tl.start(script, s.env, false)
				if err != nil {
					return err
				}
				if err := p.waitAttached(); err != nil {
					return fmt.Errorf("%s: %w", s.file, err)
				}
				progs := progStats(progIDs(p.cmd.Process.Pid))
				cost[tl.name] = append(cost[tl.name], perEvent(progs, s.load, c.window))
				if r == 0 {
					cnt[tl.name] = counts(progs)
				}
				for _, pr := range progs {
					pr.Close()
				}
				p.stop()
			}
			if s.file == "count.bt" {
				l, err := ref.attach()
				if err != nil {
					return err
				}
				cost["reference"] = append(cost["reference"], perEvent([]*ebpf.Program{ref.prog}, s.load, c.window))
				l.Close()
				if r == 0 {
					cnt["reference"] = counts([]*ebpf.Program{ref.prog})
				}
			}
		}
		name := s.file
		if s.env != nil {
			name += " (max_strlen 64 for both)"
		}
		t.eventRow(name, cost, cnt)
	}
	return nil
}

// reference is the hand-written count-by-comm program: the key is the
// comm on the stack, lookup then add in place, insert 1 on a miss, return 0.
type reference struct {
	prog *ebpf.Program
	m    *ebpf.Map
}

func newReference() (*reference, error) {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "ref_count", Type: ebpf.PerCPUHash, KeySize: 16, ValueSize: 8, MaxEntries: 4096})
	if err != nil {
		return nil, err
	}
	insns := asm.Instructions{
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, -16),
		asm.Mov.Imm(asm.R2, 16),
		asm.FnGetCurrentComm.Call(),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -16),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "miss"),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord),
		asm.Add.Imm(asm.R1, 1),
		asm.StoreMem(asm.R0, 0, asm.R1, asm.DWord),
		asm.Ja.Label("out"),
		asm.Mov.Imm(asm.R1, 1).WithSymbol("miss"),
		asm.StoreMem(asm.RFP, -24, asm.R1, asm.DWord),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -16),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -24),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: "ref_count", Type: ebpf.TracePoint, Instructions: insns, License: "GPL"})
	if err != nil {
		m.Close()
		return nil, err
	}
	return &reference{prog: prog, m: m}, nil
}

func (r *reference) attach() (link.Link, error) {
	return link.Tracepoint("raw_syscalls", "sys_enter", r.prog, nil)
}

func (r *reference) Close() { r.prog.Close(); r.m.Close() }

// Slowdown of a getppid loop traced by count.bt (and the reference).
func benchSlowdown(c *config, t *table, tools []*tool) error {
	script := filepath.Join(c.scripts, "count.bt")
	ref, err := newReference()
	if err != nil {
		return err
	}
	defer ref.Close()
	times := map[string][]float64{}
	for r := 0; r < c.runs; r++ {
		times["untraced"] = append(times["untraced"], ms(getppidLoop(c.calls)))
		for _, tl := range tools {
			p, err := tl.start(script, nil, false)
			if err != nil {
				return err
			}
			if err := p.waitAttached(); err != nil {
				return err
			}
			times[tl.name] = append(times[tl.name], ms(getppidLoop(c.calls)))
			p.stop()
		}
		l, err := ref.attach()
		if err != nil {
			return err
		}
		times["reference"] = append(times["reference"], ms(getppidLoop(c.calls)))
		l.Close()
	}
	t.slowdownRow(c.calls, times)
	return nil
}

// printf throughput. The rate a tool's lines arrive at is bounded by the
// generator (a getppid loop on one of the two CPUs, with the tool and this
// bench on the other) and moves with the machine's load, so the robust
// figure is the consumer's cost: events delivered per CPU-second of the
// tracer (all its threads, user and system time, from schedstat), over
// the same events. Three scenarios, each -runs times: the loop as fast as
// it goes, a generator paced at a fixed rate, and a consumer that falls
// behind (stdout not read until the loop is over), where the lost events
// must be reported exactly.
func benchPrintf(c *config, t *table, tools []*tool) error {
	script := filepath.Join(c.scripts, "printf.bt")
	perCPU, rate, paced := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
	got, pacedGot := map[string][]float64{}, map[string][]float64{}
	stalled := map[string]string{}
	pacedRate := c.printfRate
	pacedN := c.printfEvents / 2
	for r := 0; r < c.runs; r++ {
		for _, tl := range tools {
			// As fast as the loop goes.
			res, err := printfRun(tl, script, c.printfEvents, false, func() { getppidLoop(c.printfEvents) })
			if err != nil {
				return err
			}
			got[tl.name] = append(got[tl.name], float64(res.lines))
			if res.elapsed > 0 {
				rate[tl.name] = append(rate[tl.name], float64(res.lines)/res.elapsed.Seconds()/1000)
			}
			if res.cpu > 0 {
				perCPU[tl.name] = append(perCPU[tl.name], float64(res.lines)/res.cpu.Seconds()/1000)
			}
			// At a fixed rate.
			res, err = printfRun(tl, script, pacedN, false, func() { pacedGetppid(pacedN, pacedRate) })
			if err != nil {
				return err
			}
			pacedGot[tl.name] = append(pacedGot[tl.name], float64(res.lines))
			if res.cpu > 0 {
				paced[tl.name] = append(paced[tl.name], float64(res.lines)/res.cpu.Seconds()/1000)
			}
			if r == 0 {
				res, err = printfRun(tl, script, c.printfEvents, true, func() { getppidLoop(c.printfEvents) })
				if err != nil {
					return err
				}
				reported := "none"
				if len(res.lost) > 0 {
					reported = res.lost[0]
					if len(res.lost) > 1 {
						reported += fmt.Sprintf(" (+%d lines)", len(res.lost)-1)
					}
				}
				stalled[tl.name] = fmt.Sprintf("%d/%d lines; lost reported: %s", res.lines, c.printfEvents, reported)
			}
		}
	}
	t.absRow("printf", fmt.Sprintf("printf.bt, getppid x %d as fast as it goes: lines received", c.printfEvents), got, "-", 0)
	t.absRow("printf", "printf.bt, as fast as it goes: k events/s received (bounded by the generator)", rate, "-", 0)
	t.higherRow("printf", "printf.bt, as fast as it goes: k events per CPU-second of the tracer", perCPU, ">= 5x bpftrace", 5)
	t.absRow("printf", fmt.Sprintf("printf.bt, %d events paced at %d k/s: lines received", pacedN, pacedRate/1000), pacedGot, "-", 0)
	t.higherRow("printf", fmt.Sprintf("printf.bt, paced at %d k/s: k events per CPU-second of the tracer", pacedRate/1000), paced, ">= 5x bpftrace", 5)
	t.textRow("printf", "printf.bt, consumer stalled: lines, lost-event report", stalled)
	return nil
}

// printfResult is one printf run: stdout lines after the attach line, the
// time from the generator's start to the last line, the tracer's CPU time
// over that, and the lines that reported lost events.
type printfResult struct {
	lines   int
	elapsed time.Duration
	cpu     time.Duration
	lost    []string
}

// printfRun starts tl on script, runs gen, waits until want lines came or
// the output stops,
// and stops the tool.
func printfRun(tl *tool, script string, want int, gated bool, gen func()) (printfResult, error) {
	p, err := tl.start(script, nil, gated)
	if err != nil {
		return printfResult{}, err
	}
	if err := p.waitAttached(); err != nil {
		return printfResult{}, err
	}
	p.mu.Lock()
	base := p.lines
	p.mu.Unlock()
	cpu0 := cpuTime(p.cmd.Process.Pid)
	t0 := time.Now()
	gen()
	if gated {
		time.Sleep(200 * time.Millisecond)
		p.ungate()
	}
	for {
		p.mu.Lock()
		n, last := p.lines-base, p.lastLine
		p.mu.Unlock()
		if n >= want || (time.Since(last) > 500*time.Millisecond && time.Since(t0) > time.Second) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cpu := cpuTime(p.cmd.Process.Pid) - cpu0
	p.stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	return printfResult{lines: p.lines - base, elapsed: p.lastLine.Sub(t0), cpu: cpu, lost: p.lost}, nil
}

// A map of many keys printed at exit: time from SIGINT to exit.
func benchBigMap(c *config, t *table, tools []*tool) error {
	script := filepath.Join(c.scripts, "bigmap.bt")
	keys := fmt.Sprint(2 * c.mapKeys)
	env := []string{"BPFTRACE_MAX_MAP_KEYS=" + keys, "BPFTRACE_MAP_KEYS_MAX=" + keys}
	times, rss := map[string][]float64{}, map[string][]float64{}
	lines := map[string]int{}
	for r := 0; r < min(c.runs, 3); r++ {
		for _, tl := range tools {
			p, err := tl.start(script, env, false)
			if err != nil {
				return err
			}
			if err := p.waitAttached(); err != nil {
				return err
			}
			getppidLoop(c.mapKeys)
			time.Sleep(50 * time.Millisecond)
			p.mu.Lock()
			base := p.lines
			p.mu.Unlock()
			d := p.stop()
			times[tl.name] = append(times[tl.name], ms(d))
			rss[tl.name] = append(rss[tl.name], float64(p.maxRSS)/1024)
			lines[tl.name] = p.lines - base
		}
	}
	t.ratioRow("bigmap", fmt.Sprintf("print %d keys at exit: SIGINT to exit (ms)", c.mapKeys), times, "< 1000 ms", 0)
	t.absRow("bigmap", fmt.Sprintf("print %d keys at exit: peak RSS (MiB)", c.mapKeys), rss, "<= 200 MB", 200e6/(1<<20))
	res := map[string]string{}
	for k, v := range lines {
		res[k] = fmt.Sprint(v)
	}
	t.textRow("bigmap", "lines printed", res)
	return nil
}

// benchScript is the script of n statements that codegen's BenchmarkCompile
// also compiles: one probe per 10 statements.
func benchScript(n int) string {
	var b []byte
	for p := 0; p < n/10; p++ {
		b = fmt.Appendf(b, "tracepoint:raw_syscalls:sys_enter /pid == %d/ {\n", p+1)
		b = fmt.Appendf(b, "  @c%d[comm] = count();\n", p)
		b = fmt.Appendf(b, "  @s%d = sum(args.id);\n", p)
		b = fmt.Appendf(b, "  $x = args.id * %d + tid;\n", p+2)
		b = fmt.Appendf(b, "  if ($x > %d) { @m%d[tid, comm] = max($x); }\n", p*10, p)
		b = fmt.Appendf(b, "  @h%d = hist($x);\n", p)
		b = fmt.Appendf(b, "  @l%d = lhist(args.id, 0, 500, 10);\n", p)
		b = fmt.Appendf(b, "  $y = $x > 100 ? 1 : 2;\n")
		b = fmt.Appendf(b, "  @v%d[$y] = avg($x);\n", p)
		b = fmt.Appendf(b, "  printf(\"%%d %%s %%d\\n\", $x, comm, $y);\n")
		b = fmt.Appendf(b, "  @t%d[cpu] = nsecs;\n", p)
		b = append(b, "}\n"...)
	}
	return string(b)
}

// Compile time in process (parse + check + codegen) as scripts grow.
func benchCompile(c *config, t *table) {
	env, err := probes.NewEnv()
	if err != nil {
		t.textRow("compile", "compile", map[string]string{"gobpftrace": "error: " + err.Error()})
		return
	}
	sizes := []int{10, 100, 500, 1000, 2000}
	if c.quick {
		sizes = []int{10, 20}
	}
	var per10 float64
	for _, n := range sizes {
		src := benchScript(n)
		var xs []float64
		for r := 0; r < max(c.runs, 3); r++ {
			t0 := time.Now()
			prog, err := parser.Parse("bench.bt", src)
			if err == nil {
				var ch *lang.Checked
				ch, err = check.Check(prog, "bench.bt", src, env, check.Options{})
				if err == nil {
					_, err = codegen.Compile(ch)
				}
			}
			if err != nil {
				t.textRow("compile", fmt.Sprintf("%d statements", n), map[string]string{"gobpftrace": "error: " + err.Error()})
				return
			}
			xs = append(xs, ms(time.Since(t0)))
		}
		m := median(xs)
		perStmt := 1000 * m / float64(n)
		if per10 == 0 {
			per10 = perStmt
		}
		t.textRow("compile", fmt.Sprintf("parse+check+codegen, %d statements", n), map[string]string{
			"gobpftrace": fmt.Sprintf("%.1f ms (%.0f µs/stmt, %.2fx the 10-stmt rate)", m, perStmt, perStmt/per10),
		})
	}
}

// firstEvent polls the process's tracepoint programs until one has run
// (the machine's own system calls trigger count.bt), and returns the time
// from start; bpftrace prints its line before attaching, so this is the
// fair measure of time to attached.
func firstEvent(p *proc) time.Duration {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return 0
		default:
		}
		progs := progStats(progIDs(p.cmd.Process.Pid))
		_, n := sample(progs)
		for _, pr := range progs {
			pr.Close()
		}
		if n > 0 {
			return time.Since(p.start)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0
}
