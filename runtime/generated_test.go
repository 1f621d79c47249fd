package runtime

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/check"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/runtime/load"
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// A differential test of the checker against the kernel's verifier: every
// script the checker accepts must load. gen writes random valid scripts
// from a small grammar of what gobpftrace supports (seeded, so a failure
// names a reproducible script).

// scriptGen builds one script.
type scriptGen struct {
	r *rand.Rand
	b strings.Builder
	// Per script: maps by kind, each with one type for its whole life.
	nextMap int
	intMaps []string // @iN = integer, read back in expressions
	aggs    []string // @aN = aggregation
	totals  []string // the count, sum, min, max and avg ones among aggs, readable as integers
	keyed   []keyedMap
	// Per probe.
	vars     []string // integer variables assigned so far
	nextVar  int
	provider string
	depth    int
	// loops is how many loops (not unrolls) enclose the statement being
	// written: break and continue need one.
	loops int
}

type keyedMap struct {
	name string
	key  int // 0 int, 1 string (comm), 2 tuple (int, comm)
}

// probe kinds with their integer and string arguments.
var genProbes = []struct {
	name       string
	ints, strs []string
}{
	{"BEGIN", nil, nil},
	{"END", nil, nil},
	{"interval:ms:100", nil, nil},
	{"tracepoint:raw_syscalls:sys_enter", []string{"args.id", "args.args[0]", "args.args[5]"}, nil},
	{"tracepoint:syscalls:sys_enter_openat", []string{"args.flags", "args.dfd", "args.mode"}, []string{"str(args.filename)", "str(args.filename, 8)"}},
	{"tracepoint:sched:sched_switch", []string{"args.prev_pid", "args.next_pid", "args.prev_prio"}, []string{"args.prev_comm", "args.next_comm"}},
	{"tracepoint:syscalls:sys_exit_read", []string{"args.ret"}, nil},
}

func (g *scriptGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g *scriptGen) script() string {
	n := 1 + g.r.Intn(3)
	for i := 0; i < n; i++ {
		p := genProbes[g.r.Intn(len(genProbes))]
		g.vars, g.nextVar, g.provider = nil, 0, p.name
		g.b.WriteString(p.name)
		if g.r.Intn(3) == 0 {
			fmt.Fprintf(&g.b, " /%s/", g.cond(p.ints, p.strs))
		}
		g.b.WriteString(" {\n")
		for j, m := 0, 1+g.r.Intn(6); j < m; j++ {
			g.stmt(p.ints, p.strs, 1)
		}
		g.b.WriteString("}\n")
	}
	return g.b.String()
}

func (g *scriptGen) line(depth int, format string, args ...any) {
	g.b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

func (g *scriptGen) newMap() string {
	g.nextMap++
	return fmt.Sprintf("%d", g.nextMap)
}

// stmtKinds is the number of statement kinds stmtOf writes.
const stmtKinds = 28

func (g *scriptGen) stmt(ints, strs []string, depth int) {
	g.stmtOf(g.r.Intn(stmtKinds), ints, strs, depth)
}

// stmtOf writes a statement of the given kind (0 to stmtKinds-1).
func (g *scriptGen) stmtOf(kind int, ints, strs []string, depth int) {
	switch kind {
	case 0, 1:
		name := "@i" + g.newMap()
		g.line(depth, "%s = %s;", name, g.intExpr(ints, 0))
		g.intMaps = append(g.intMaps, name)
	case 2:
		if len(g.intMaps) > 0 {
			m := g.intMaps[g.r.Intn(len(g.intMaps))]
			g.line(depth, "%s", g.pick(m+"++;", m+" += "+g.intExpr(ints, 1)+";", m+" -= 1;", "--"+m+";"))
		} else {
			g.line(depth, "@c%s = count();", g.newMap())
		}
	case 3, 4:
		name := "@a" + g.newMap()
		e := g.intExpr(ints, 1)
		agg := g.pick("count()", "sum("+e+")", "min("+e+")", "max("+e+")", "avg("+e+")", "stats("+e+")", "hist("+e+")", "hist("+e+", 2)", "lhist("+e+", 0, 1000, 100)")
		g.line(depth, "%s = %s;", name, agg)
		g.aggs = append(g.aggs, name)
		if !strings.HasPrefix(agg, "stats(") && !strings.HasPrefix(agg, "hist(") && !strings.HasPrefix(agg, "lhist(") {
			g.totals = append(g.totals, name)
		}
	case 5:
		k := keyedMap{name: "@k" + g.newMap(), key: g.r.Intn(3)}
		g.line(depth, "%s[%s] = %s;", k.name, g.key(k.key, ints, strs), g.pick("count()", "sum("+g.intExpr(ints, 1)+")", g.intExpr(ints, 1)))
		g.keyed = append(g.keyed, k)
	case 6:
		v := fmt.Sprintf("$v%d", g.nextVar)
		g.nextVar++
		g.line(depth, "%s = %s;", v, g.intExpr(ints, 0))
		g.vars = append(g.vars, v)
	case 7, 8:
		g.printf(ints, strs, depth)
	case 9:
		if depth < 3 {
			g.line(depth, "if (%s) {", g.cond(ints, strs))
			saved := len(g.vars)
			g.stmt(ints, strs, depth+1)
			g.vars = g.vars[:saved] // variables of the block end with it
			if g.r.Intn(2) == 0 {
				g.line(depth, "} else {")
				g.stmt(ints, strs, depth+1)
				g.vars = g.vars[:saved]
			}
			g.line(depth, "}")
		}
	case 10:
		if len(g.aggs) > 0 {
			m := g.aggs[g.r.Intn(len(g.aggs))]
			g.line(depth, "%s", g.pick("print("+m+");", "clear("+m+");", "zero("+m+");"))
		} else {
			g.line(depth, "print(%s);", g.intExpr(ints, 1))
		}
	case 11:
		if len(g.keyed) > 0 {
			k := g.keyed[g.r.Intn(len(g.keyed))]
			g.line(depth, "delete(%s, (%s));", k.name, g.key(k.key, ints, strs))
		} else {
			g.line(depth, "print(%s);", g.strExpr(strs))
		}
	case 13:
		if depth < 3 {
			v := fmt.Sprintf("$i%d", g.nextVar)
			g.nextVar++
			g.line(depth, "for (%s : %s..%s) {", v, g.pick("0", "1"), g.pick("3", "10", "100", "pid % 50", "($# + 2)"))
			saved := len(g.vars)
			g.vars = append(g.vars, v)
			g.loops++
			g.stmt(ints, strs, depth+1)
			g.loops--
			g.vars = g.vars[:saved]
			g.line(depth, "}")
		}
	case 14:
		if len(g.keyed) > 0 && depth < 3 {
			k := g.keyed[g.r.Intn(len(g.keyed))]
			g.line(depth, "for ($kv%d : %s) {", g.nextVar, k.name)
			g.line(depth+1, "printf(\"k %%d\\n\", len(%s));", k.name)
			g.line(depth, "}")
			g.nextVar++
		} else {
			g.line(depth, "@st%s[%s] = count();", g.newMap(), g.pick("kstack", "ustack", "kstack(3)", "ustack(perf, 5)"))
		}
	case 15:
		if len(g.keyed) > 0 {
			k := g.keyed[g.r.Intn(len(g.keyed))]
			g.line(depth, "if (has_key(%s, (%s))) { printf(\"has\\n\"); }", k.name, g.key(k.key, ints, strs))
		} else {
			g.line(depth, "printf(\"%%s\\n\", ksym(%s));", g.intExpr(ints, 1))
		}
	case 16:
		g.line(depth, "@s%s[%s] = count();", g.newMap(), g.pick("strcontains("+g.strExpr(strs)+", \"a\")", "strncmp("+g.strExpr(strs)+", "+g.strExpr(strs)+", 3)", "bswap((uint32)"+g.intExpr(ints, 2)+")"))
	case 17:
		// while loops run under bpf_loop whatever their bound.
		if depth < 3 {
			w := fmt.Sprintf("$w%d", g.nextVar)
			g.nextVar++
			g.line(depth, "%s = 0;", w)
			g.line(depth, "while (%s < %s) {", w, g.pick("3", "5000", "pid % 50", g.intExpr(ints, 1)))
			g.line(depth+1, "%s++;", w)
			saved := len(g.vars)
			g.vars = append(g.vars, w)
			g.loops++
			g.stmt(ints, strs, depth+1)
			g.loops--
			g.vars = g.vars[:saved]
			if g.r.Intn(3) == 0 {
				g.line(depth+1, "if (%s > 7) { break; }", w)
			}
			g.line(depth, "}")
		}
	case 18:
		if depth < 3 {
			g.line(depth, "unroll(%s) {", g.pick("1", "2", "5"))
			saved := len(g.vars)
			g.stmt(ints, strs, depth+1)
			g.vars = g.vars[:saved]
			g.line(depth, "}")
		}
	case 19:
		// A string held in a variable, compared and searched.
		v := fmt.Sprintf("$t%d", g.nextVar)
		g.nextVar++
		g.line(depth, "%s = %s;", v, g.strExpr(strs))
		g.line(depth, "if (%s) { @str%s[%s] = count(); }", g.pick(
			"strncmp("+v+", \"bas\", 3) == 0", "strcontains("+v+", \"a\")", v+" == comm", "strlen("+v+") > 3"), g.newMap(), v)
	case 20:
		// Leaving a loop round, the loop, or the probe, under a condition.
		jump := "return;"
		if g.loops > 0 {
			jump = g.pick("break;", "continue;", "return;")
		}
		g.line(depth, "if (%s) { %s }", g.cond(ints, strs), jump)
	case 21:
		// A tuple held in a variable, taken apart.
		v := fmt.Sprintf("$tp%d", g.nextVar)
		g.nextVar++
		g.line(depth, "%s = (%s, %s);", v, g.intExpr(ints, 1), g.strExpr(strs))
		g.line(depth, "printf(\"t %%d %%s\\n\", %s.0, %s.1);", v, v)
		if g.r.Intn(2) == 0 {
			g.line(depth, "@tv%s[%s.1] = %s;", g.newMap(), v, v)
		}
	case 22:
		// Maps with string values.
		name := "@ms" + g.newMap()
		k := g.r.Intn(3)
		g.line(depth, "%s[%s] = %s;", name, g.key(k, ints, strs), g.strExpr(strs))
		g.line(depth, "%s[%s] = %s;", name, g.key(k, ints, strs), g.strExpr(strs))
	case 23:
		// A variable of a declared width, changed in place.
		v := fmt.Sprintf("$u%d", g.nextVar)
		g.nextVar++
		ty := g.pick("uint8", "int16", "uint32", "int64")
		g.line(depth, "let %s: %s = (%s)%s;", v, ty, ty, g.intExpr(ints, 1))
		g.line(depth, "%s %s (%s)%s;", v, g.pick("+=", "-=", "*=", "|=", "&=", "^=", "<<=", ">>="), ty, g.pick("1", "3", "7"))
		g.vars = append(g.vars, v)
	case 24:
		// Integer values of a keyed map, changed in place.
		name := "@ki" + g.newMap()
		k := g.r.Intn(3)
		g.line(depth, "%s[%s] = %s;", name, g.key(k, ints, strs), g.intExpr(ints, 1))
		g.line(depth, "%s[%s]%s;", name, g.key(k, ints, strs), g.pick("++", "--", " += "+g.intExpr(ints, 2), " -= 7", " <<= 1", " |= 255"))
	case 25:
		// Events that read the clock or a file in user space.
		g.line(depth, "%s", g.pick(`time("%H:%M:%S\n");`, `printf("%s\n", strftime("%H:%M:%S", nsecs));`,
			`cat("/proc/loadavg");`, `printf("%s %s\n", ntop(pid), usym(`+g.intExpr(ints, 2)+`));`))
	case 26:
		// An else-if chain and a bare block.
		if depth < 3 {
			saved := len(g.vars)
			g.line(depth, "if (%s) {", g.cond(ints, strs))
			g.stmt(ints, strs, depth+1)
			g.vars = g.vars[:saved]
			g.line(depth, "} else if (%s) {", g.cond(ints, strs))
			g.stmt(ints, strs, depth+1)
			g.vars = g.vars[:saved]
			g.line(depth, "} else {")
			g.line(depth, "  {")
			g.stmt(ints, strs, depth+2)
			g.vars = g.vars[:saved]
			g.line(depth, "  }")
			g.line(depth, "}")
		}
	case 27:
		// A pointer to the task, followed; a tuple printed whole.
		v := fmt.Sprintf("$p%d", g.nextVar)
		g.nextVar++
		g.line(depth, "%s = curtask;", v)
		g.line(depth, "@pd%s = %s->real_parent->%s;", g.newMap(), v, g.pick("pid", "tgid", "prio"))
		g.line(depth, "print((%s, %s));", g.intExpr(ints, 2), g.strExpr(strs))
	case 12:
		if g.r.Intn(8) == 0 {
			g.line(depth, "exit();")
		} else {
			g.line(depth, "$s%d = %s;", g.nextVar, g.strExpr(strs))
			g.nextVar++
		}
	}
}

func (g *scriptGen) key(kind int, ints, strs []string) string {
	switch kind {
	case 0:
		return g.intExpr(ints, 1)
	case 1:
		return g.strExpr(strs)
	}
	return g.intExpr(ints, 2) + ", " + g.strExpr(strs)
}

func (g *scriptGen) printf(ints, strs []string, depth int) {
	var format []string
	var args []string
	for i, n := 0, g.r.Intn(4); i < n; i++ {
		if g.r.Intn(3) == 0 {
			format = append(format, g.pick("%s", "%-8s", "%10s"))
			args = append(args, g.strExpr(strs))
		} else {
			format = append(format, g.pick("%d", "%u", "%x", "%5d", "%-3d", "%lld", "%llu"))
			args = append(args, g.intExpr(ints, 1))
		}
	}
	s := fmt.Sprintf("printf(\"p %s\\n\"", strings.Join(format, " "))
	for _, a := range args {
		s += ", " + a
	}
	g.line(depth, "%s);", s)
}

func (g *scriptGen) strExpr(strs []string) string {
	choices := append([]string{"comm", `"lit"`, `"a longer literal string"`, "probe"}, strs...)
	return choices[g.r.Intn(len(choices))]
}

func (g *scriptGen) cond(ints, strs []string) string {
	switch g.r.Intn(4) {
	case 0:
		return g.strExpr(strs) + g.pick(" == ", " != ") + g.pick(`"bash"`, `"sshd"`, "comm")
	case 1:
		return g.intExpr(ints, 1) + g.pick(" && ", " || ") + g.intExpr(ints, 1)
	}
	return g.intExpr(ints, 1) + g.pick(" == ", " != ", " < ", " > ", " <= ", " >= ") + g.intExpr(ints, 1)
}

func (g *scriptGen) leaf(ints []string) string {
	choices := []string{"pid", "tid", "uid", "gid", "cpu", "nsecs", "elapsed", "rand", "cgroup", "jiffies",
		"curtask->pid", "curtask->real_parent->tgid",
		"0", "1", "7", "255", "1000", "65536", "4294967296", "-1", "-100"}
	choices = append(choices, ints...)
	choices = append(choices, g.vars...)
	choices = append(choices, g.intMaps...)
	choices = append(choices, g.totals...)
	return choices[g.r.Intn(len(choices))]
}

func (g *scriptGen) intExpr(ints []string, depth int) string {
	if depth > 3 || g.r.Intn(3) == 0 {
		return g.leaf(ints)
	}
	a, b := g.intExpr(ints, depth+1), g.intExpr(ints, depth+1)
	switch g.r.Intn(9) {
	case 0, 1:
		return "(" + a + g.pick(" + ", " - ", " * ", " & ", " | ", " ^ ") + b + ")"
	case 2:
		return "(" + a + g.pick(" / ", " % ") + g.pick("3", "7", "1000") + ")"
	case 3:
		return "(" + a + g.pick(" << ", " >> ") + g.pick("1", "4", "12") + ")"
	case 4:
		return "(" + a + g.pick(" + ", " - ") + g.pick("1", "(int64)-1", "$#") + ")"
	case 5:
		return "(" + g.cond(ints, nil) + " ? " + a + " : " + b + ")"
	case 6:
		return "(" + g.pick("uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64") + ")" + a
	case 7:
		return g.pick("-", "~") + "(" + a + ")"
	}
	return a
}

// genRegressions are generated scripts the kernel once refused, kept as
// they were found (the seeds before seed0 stand for them in messages).
var genRegressions = []string{
	// Heavy generator script 15996 (GOBPFTRACE_GEN_HEAVY=20): "The sequence
	// of 8193 jumps is too complex" at the branchy $v16 statement in the
	// map loop. The prologue's ternaries left variables the loop only reads
	// at different known values on different paths, and the verifier
	// walked the callbacks once per path; they are forgotten before the
	// loop now (forgetUsed), as the ones it writes were.
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)(-((gid * cpu)) - -1);
  $v1 = (int64)(uint16)((0 >> 4) >> 4);
  $v2 = (int64)((jiffies & curtask->pid) ^ ~(255));
  $v3 = (int64)((((-(args.flags) << 4) % 1000) && args.flags ? (255 | args.dfd) : rand) & ((curtask->pid % 3) << 12));
  $v4 = (int64)uid;
  $v5 = (int64)(((4294967296 ^ uid) % 3) ^ ((uint32)curtask->real_parent->tgid + (int64)-1));
  $v6 = (int64)uid;
  $v7 = (int64)~(args.dfd);
  $v8 = (int64)(((uint16)(((int64)args.mode % 7) == (int8)(uint32)$v7 ? 1000 : jiffies) > (int16)(int64)($v1 << 1) ? $v2 : ($v7 >> 12)) & ((int32)$v7 != (255 + 1) ? -(pid) : tid));
  $v9 = (int64)($v8 * (-($v2) * (args.mode & curtask->pid)));
  $v10 = (int64)$v0;
  $v11 = (int64)(uint16)pid;
  $v12 = (int64)-1;
  $v13 = (int64)(uint8)(7 << 12);
  $v14 = (int64)((cpu && ($v7 - (int8)(int32)$v13) ? (pid + 1) : (elapsed + (int64)-1)) >= (rand - ((args.flags >> 12) / 7)) ? $v4 : gid);
  $v15 = (int64)255;
  $v16 = (int64)($v3 & $v8);
  $v17 = (int64)(1000 | (($v9 + 1) << 12));
  $v18 = (int64)((cgroup & 1) % 7);
  $v19 = (int64)~((($v14 | $v1) >> 4));
  $v20 = (int64)curtask->pid;
  $v21 = (int64)~((1 + (int64)-1));
  $v22 = (int64)(int32)(int32)jiffies;
  $v23 = (int64)$v10;
  for ($l24 : 0..3) {
    for ($l25 : @loopmap) {
      @a1 = stats((int16)(uint32)(uint32)pid);
      $v4 = $v4 + (int64)(4294967296 < $v9 ? $v21 : args.dfd);
      $v16 = $v16 + (int64)((comm == "bash" ? (($v7 && ($v4 >> 1) ? (uint8)$v7 : (rand ^ ($v9 % 1000))) >= (((cpu - $#) & $v2) / 3) ? (jiffies - 1) : ($v6 && ($v20 > ~((("lit" != "bash" ? nsecs : $v16) + 1)) ? (uint8)$l24 : ((-1 & $v22) + $#)) ? $v9 : gid)) : $v23) <= $v12 ? ($v9 / 7) : (gid >> 1));
      $v9 = $v9 + (int64)(($v5 & $v14) + $#);
      $v13 = $v13 + (int64)($v22 + (int64)-1);
    }
    $l24 = $l24 + 1;
  }
}`,
	// Heavy generator, scripts 5221 and 13993 (GOBPFTRACE_GEN_HEAVY=20):
	// exit() or return in the innermost of three run-time ranges passed
	// the verifier's million instructions. A range's count slot was a
	// spilled register on one path and two 32-bit zero stores on the
	// other (the empty range); the verifier checks a bpf_loop callback
	// with the caller's slots compared exactly, and the two slot kinds
	// times the return flags multiplied its states at every level (12,383
	// instructions once the count is stored from one register).
	`tracepoint:syscalls:sys_enter_openat { for ($a : 0..(pid%50)) { for ($b : 0..(pid%50)) { for ($c : 0..(pid%50)) { exit(); } } } }`,
	`tracepoint:syscalls:sys_enter_openat { for ($a : 0..(pid%50)) { for ($b : 0..(pid%50)) { for ($c : 0..(pid%50)) { if (pid > 1) { return; } } } } }`,
	// Seed 26379 (45,000-script run): a constant range of 99 rounds read
	// a max() value, whose fold over the CPUs is a bpf_loop callback; the
	// range was a plain loop, and the verifier walked the callback in every
	// round past its million instructions. Reading a count, sum, min, max
	// or avg now makes the range a bpf_loop itself (loopshape.go).
	`tracepoint:sched:sched_switch {
  for ($i0 : 0..($# + 2)) {
    @a3 = max(((255 + $#) >> 12));
  }
}
tracepoint:raw_syscalls:sys_enter /(int16)((curtask->real_parent->tgid << 4) & curtask->real_parent->tgid) == args.id/ {
  for ($i0 : 1..100) {
    $v1 = (((65536 + (@a3 & 7)) << 1) / 3);
  }
  zero(@a3);
}`,
	// A constant condition made the else branch dead; the label of the
	// program's end, placed right after it, was dropped, and the
	// prologue's jump to it (a failed scratch lookup) had no target.
	`tracepoint:syscalls:sys_enter_openat {
  @k2[pid, str(args.filename)] = count();
  @i3 = -((~((rand % 1000)) & ((elapsed - elapsed) % 1000)));
  if ("a longer literal string" != "sshd") {
    printf("p %d\n", (int64)1);
  } else {
    @k4[cpu] = count();
  }
}`,
	// A loop over a map in a dead branch: its callback was still emitted
	// with BTF func_info, which the kernel refuses for a function nothing
	// calls.
	`tracepoint:raw_syscalls:sys_enter {
  @k2[args.id, comm] = 1;
}
tracepoint:raw_syscalls:sys_enter {
  if ("a longer literal string" == "sshd") {
    for ($kv0 : @k2) {
      printf("k %d\n", len(@k2));
    }
  }
}`,
	// A while loop's counter set inside an if block was not forgotten
	// (only the probe's own block was followed): the verifier walked the
	// bpf_loop rounds one by one, to "sequence of 8193 jumps is too
	// complex" or its million instructions.
	`END {
  @i1 = rand;
  if (pid != uid) {
    $w0 = 0;
    while ($w0 < pid % 50) {
      $w0++;
      --@i1;
      if ($w0 > 7) { break; }
    }
  }
}`,
	`tracepoint:raw_syscalls:sys_enter {
  if (-(tid) != args.id) {
    $w0 = 0;
    while ($w0 < 5000) {
      $w0++;
      @s2[bswap((uint32)(args.id + 2))] = count();
    }
  }
}`,
	// A while loop after another, its bound known only at run time and its
	// counter breaking out: each round narrowed the counter's range, so the
	// rounds never repeated until each round's start was forgotten too.
	`END {
  $w0 = 0;
  while ($w0 < 5000) { $w0++; }
  $w1 = 0;
  while ($w1 < ((jiffies >= (-((7 << 12)) % 1000)) ? 0 : rand)) { $w1++; printf("p \n"); if ($w1 > 7) { break; } }
}`,
	// A plain loop of 99 rounds around strlen's byte loop, and hist()
	// (64 paths each) five times in a callback.
	`tracepoint:sched:sched_switch {
  for ($i2 : 1..100) {
    $t3 = probe;
    if (strlen($t3) > 3) { @str4[$t3] = count(); }
  }
  for ($i1 : 0..pid % 50) {
    unroll(5) { @a3 = hist(gid, 2); }
  }
}`,
	// Two loops in a row, the second with a branchy condition and a loop
	// inside: the first loop's rounds ended with their temporaries (in the
	// probe's frame) as each path left them, and everything after the
	// loop was checked once per end state.
	`END {
  unroll(1) {
    $w0 = 0;
    while ($w0 < pid % 50) {
      $w0++;
      printf("%s\n", ksym(0));
    }
  }
  $s1 = comm;
  print("lit");
  $w2 = 0;
  while ($w2 < (((((int16)0 / 7) || ((((jiffies & 1) ^ (cpu | (tid - 1))) >= (uint8)(int64)(255 - $#) ? (elapsed << 1) : 255) + (1000 >= ((((nsecs || (uint64)uid ? -1 : ((0 + 1) && ((65536 / 1000) / 3) ? -100 : curtask->real_parent->tgid)) != curtask->pid ? ~(4294967296) : nsecs) ^ (int16)cgroup) || (((gid - uid) + $#) % 1000) ? tid : gid) ? (comm != "bash" ? gid : rand) : (curtask->pid ^ pid))) ? ((0 % 7) - (1000 - uid)) : cgroup) <= (nsecs & ((rand & -1) + $#)) ? 255 : 1000) * ~(pid))) {
    $w2++;
    for ($i3 : 0..pid % 50) {
      print((-(65536) - $#));
    }
  }
}`,
	// Four jumps to the next instruction dropped from the predicate moved
	// the body's start by three: the scratch lookup was spliced in after
	// the body's first instruction, a call, and clobbered its result.
	`tracepoint:syscalls:sys_enter_openat /(65536 ^ ("a longer literal string" != "bash" ? 7 : -(pid))) > ~(("a longer literal string" != comm ? 65536 : gid))/ {
  @i4 = ~(jiffies);
  print(str(args.filename));
}`,
	// Seed 339036 (50,000-script run): an END loop body of 5 unrolled
	// printf()s, each of a long expression of ternaries, &&, || with
	// constant arms spilled to the callback's frame. The verifier takes a
	// loop body's dead slots as read and exact until its rounds are all
	// checked, so each statement's paths multiplied the next one's, past a
	// million instructions; the temporaries are now zeroed after such a
	// statement (settleTemps): 61k instructions.
	`END {
  @st1[kstack] = count();
  for ($i0 : 1..pid % 50) {
    unroll(5) {
      printf("%s\n", ksym((((((rand - (int64)-1) - -(curtask->real_parent->tgid)) | cpu) && ((((((gid | (65536 & gid)) - 4294967296) == jiffies ? uid : (gid - $#)) && (((tid + (int64)-1) + (((gid * pid) ^ 65536) || (((((nsecs >> 12) - 1) - 1) == 1000 ? (4294967296 >> 1) : (cpu << 4)) & (cgroup / 1000)) ? 7 : 255)) | (uint32)$i0) ? $i0 : cgroup) ^ (-100 + $#)) + ((cpu + -100) / 3)) ? (1 << 1) : (-1 | 1000)) <= (-((4294967296 + 0)) << 4) ? (int8)65536 : (7 == (curtask->real_parent->tgid >> 4) ? 65536 : -100))));
    }
  }
  for ($i1 : 0..3) {
    printf("p %5d\n", ((((((1000 + nsecs) << 12) - -100) > ((elapsed - 1) >> 4) ? 255 : cpu) - 1) << 12));
  }
  @a2 = count();
  $w2 = 0;
  while ($w2 < 5000) {
    $w2++;
    @s3[strncmp("lit", "a longer literal string", 3)] = count();
  }
  @a4 = hist((("lit" == comm ? (cgroup - 1) : (nsecs | 65536)) + (int64)-1), 2);
}
interval:ms:100 {
  @c5 = count();
  printf("%s\n", ksym(("a longer literal string" != comm ? -1 : curtask->pid)));
  $s0 = probe;
  printf("%s\n", ksym(((int16)(int8)curtask->pid * (((cpu % 1000) >> 1) && curtask->real_parent->tgid ? (rand >> 12) : (uid | -1)))));
  for ($i1 : 1..3) {
    @k6["lit"] = sum(-1);
  }
}`,
	// Seeds 415457 and 442855 (50,000-script run from 400001): a condition
	// reading aggregations seven times, each read a per-CPU fold whose 56
	// bytes of slots stayed taken until the statement's end: codegen
	// refused it ("the loop needs more than 512 bytes of stack"), where
	// bpftrace runs it. The fold's slots are now free once it is read.
	`interval:ms:100 {
  @a4 = min(1); @a6 = max(1); @a7 = count(); @a8 = avg(1);
  if (((@a4 >= jiffies ? ("a longer literal string" == comm ? @a7 : tid) : ((65536 - ((uid - (int64)-1) << 12)) != (((@a6 & elapsed) << 1) == ((((uint32)(tid % 1000) + 1) < (((@a4 / 3) - @a4) + $#) ? cpu : (pid % 1000)) ^ (@a8 >> 4)) ? (4294967296 * (@a4 | gid)) : (-(cpu) * (comm == comm ? 1000 : @a6))) ? uid : rand)) * @a8) == ((0 << 4) + (int64)-1)) {
    print(probe);
  }
}`,
	// Seed 417942 (same run): a predicate comparing strings six times
	// inside ternaries and && chains, each compare's buffers (the probe's
	// name, comm) kept until the statement's end, with the folds above:
	// refused for stack the same way. A compare's memory is now free once
	// it has jumped.
	`interval:ms:100 { @a4 = min(1); }
tracepoint:syscalls:sys_enter_openat /(1000 | ((args.flags - uid) % 1000)) != (((((-1 * (7 & args.mode)) * (((-100 || curtask->real_parent->tgid ? (@a4 == (((-(1000) + (int64)-1) - ((comm != comm ? elapsed : args.mode) % 3)) != (args.mode + (int64)-1) ? (255 % 3) : (tid < (curtask->pid / 1000) ? (int64)elapsed : (-1 - $#))) ? args.dfd : tid) : (255 - (7 | @a4))) || (((comm == "bash" ? (curtask->pid - 1) : ((((1000 & @a4) >> 4) + (@a4 % 7)) < (elapsed & gid) ? @a4 : @a4)) << 4) || ((1 & (probe == comm ? tid : pid)) ^ ((gid - gid) * -(gid))) ? (uint16)gid : ((gid > -(((@a4 - jiffies) + (int64)-1)) ? gid : args.flags) << 12)) ? 1000 : -1) | tid)) && (curtask->real_parent->tgid > (uint32)(uint16)-(elapsed) ? 1000 : tid) ? curtask->pid : jiffies) >> 4) | (@a4))/ {
  @a5 = count();
}`,
	// A heavy generated script (str() in a third nested callback, 24
	// variables and temporaries filling the frames of the call chain):
	// str()'s length, spilled to the scratch buffer when no register and
	// no stack was left, came back as a number the verifier knew nothing
	// of ("R2 min value is negative"); it is now bounded again. Forty
	// variables and two nested loops are enough to get there.
	`tracepoint:syscalls:sys_enter_openat {
  $v0 = pid; $v1 = pid; $v2 = pid; $v3 = pid; $v4 = pid; $v5 = pid; $v6 = pid; $v7 = pid; $v8 = pid; $v9 = pid; $v10 = pid; $v11 = pid; $v12 = pid; $v13 = pid; $v14 = pid; $v15 = pid; $v16 = pid; $v17 = pid; $v18 = pid; $v19 = pid; $v20 = pid; $v21 = pid; $v22 = pid; $v23 = pid; $v24 = pid; $v25 = pid; $v26 = pid; $v27 = pid; $v28 = pid; $v29 = pid; $v30 = pid; $v31 = pid; $v32 = pid; $v33 = pid; $v34 = pid; $v35 = pid; $v36 = pid; $v37 = pid; $v38 = pid; $v39 = pid;
  for ($i : 0..(pid % 50)) {
    for ($j : 0..(pid % 50)) {
      printf("%s\n", str(args.filename, 8));
    }
  }
  @sum = $v0 + $v1 + $v2 + $v3 + $v4 + $v5 + $v6 + $v7 + $v8 + $v9 + $v10 + $v11 + $v12 + $v13 + $v14 + $v15 + $v16 + $v17 + $v18 + $v19 + $v20 + $v21 + $v22 + $v23 + $v24 + $v25 + $v26 + $v27 + $v28 + $v29 + $v30 + $v31 + $v32 + $v33 + $v34 + $v35 + $v36 + $v37 + $v38 + $v39;
}`,
	// Heavy generator scripts 4345, 4797, 6987 and 9602
	// (GOBPFTRACE_GEN_HEAVY=20), refused by codegen for the 512 bytes the
	// kernel allows a chain of calls: three run-time ranges, the probe's
	// frame at 352 bytes (24 variables, the ranges' slots) and the outer
	// callbacks' temporaries at 32 and 80 bytes, left no room for the
	// third's 24; a probe whose long expression took 504 bytes of its frame
	// before its one loop; a while, a range and a map loop whose slots no
	// longer fitted in the probe's frame; and a 1 KiB strcontains() in a
	// while loop three callbacks deep, whose byte loop is a fourth. Room
	// for the callbacks to come is now kept before anything is placed
	// (codegen/stackneed.go): what does not fit beside it goes to the
	// scratch buffer.
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)(65536 & ((uid - 1) / 1000));
  $v1 = (int64)args.dfd;
  $v2 = (int64)7;
  $v3 = (int64)$v2;
  $v4 = (int64)4294967296;
  $v5 = (int64)args.flags;
  $v6 = (int64)($v1 + jiffies);
  $v7 = (int64)(int16)4294967296;
  $v8 = (int64)(((($v1 % 7) & args.flags) >> 4) > curtask->real_parent->tgid ? (uint64)(255 % 3) : -(-1));
  $v9 = (int64)$v5;
  $v10 = (int64)65536;
  $v11 = (int64)(("lit" != comm ? (args.flags >> 12) : args.mode) ^ cgroup);
  $v12 = (int64)0;
  $v13 = (int64)((-((-100 % 3)) && (($v5 / 3) >> 1) ? -100 : 65536) & -(($v11 + $#)));
  $v14 = (int64)(elapsed >> 1);
  $v15 = (int64)-($v12);
  $v16 = (int64)($v9 + $#);
  $v17 = (int64)(int16)args.mode;
  $v18 = (int64)$v9;
  $v19 = (int64)$v7;
  $v20 = (int64)($v12 >> 1);
  $v21 = (int64)((($v7 << 4) >> 4) | ((-1 - curtask->pid) % 3));
  $v22 = (int64)$v4;
  $v23 = (int64)-(((curtask->pid + $#) + 1));
  for ($l24 : 0..(pid % 50)) {
    $v17 = $v17 ^ (int64)curtask->real_parent->tgid;
    $v1 = $v1 ^ (int64)-(args.flags);
    $v10 = $v10 ^ (int64)jiffies;
    for ($l25 : 0..(pid % 50)) {
      $v4 = $v4 ^ (int64)~((($v13 ^ (int8)$v18) == ~((($v14 + $v13) & (uint64)-1)) ? 0 : $v5));
      $v17 = $v17 ^ (int64)((~(($v9 && (($v22 * args.dfd) - (elapsed >> 4)) ? ($v18 & $v7) : ($v18 | $l25))) == (($v5 * (~($v7) / 7)) >= ((-(gid) % 1000) - (int64)-1) ? pid : ~($l24)) ? 7 : $v22) / 7);
      $v20 = $v20 ^ (int64)($v18 / 1000);
      for ($l26 : 0..(pid % 50)) {
        $v0 = $v0 + $v1 + $v5;
        $v1 = $v1 + $v2 + -100;
        $v2 = $v2 + $v3 + uid;
        $v3 = $v3 + $v4 + uid;
        $v4 = $v4 + $v5 + 7;
        $v5 = $v5 + $v6 + 255;
        $v6 = $v6 + $v7 + 255;
        $v7 = $v7 + $v8 + $l24;
        $v8 = $v8 + $v9 + $v6;
        $v9 = $v9 + $v10 + gid;
        $v10 = $v10 + $v11 + $v6;
        $v11 = $v11 + $v12 + $v20;
        $v12 = $v12 + $v13 + args.flags;
        $v13 = $v13 + $v14 + 1;
        $v14 = $v14 + $v15 + uid;
        $v15 = $v15 + $v16 + curtask->real_parent->tgid;
        $v16 = $v16 + $v17 + $v11;
        $v17 = $v17 + $v18 + $v19;
        $v18 = $v18 + $v19 + $v5;
        $v19 = $v19 + $v20 + curtask->pid;
        $v20 = $v20 + $v21 + 65536;
        $v21 = $v21 + $v22 + $v6;
        $v22 = $v22 + $v23 + $v18;
        $v23 = $v23 + $v0 + args.mode;
        $v27 = $v2;
        $l26 = $l26 + 1;
      }
      $l25 = $l25 + 1;
    }
    $l24 = $l24 + 1;
  }
  @sum = $v0 + $v1 + $v2 + $v3 + $v4 + $v5 + $v6 + $v7 + $v8 + $v9 + $v10 + $v11 + $v12 + $v13 + $v14 + $v15 + $v16 + $v17 + $v18 + $v19 + $v20 + $v21 + $v22 + $v23;
}`,
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)curtask->real_parent->tgid;
  $v1 = (int64)(uint8)rand;
  $v2 = (int64)(args.mode + (4294967296 >> 4));
  $v3 = (int64)1;
  $v4 = (int64)((($v2 + (int64)-1) << 12) / 1000);
  $v5 = (int64)((args.dfd % 1000) | -(-100));
  $v6 = (int64)args.dfd;
  $v7 = (int64)$v2;
  $v8 = (int64)("a longer literal string" == "sshd" ? ($v0 >> 4) : 0);
  $v9 = (int64)(-100 - 1);
  $v10 = (int64)(-1 >= ((uint32)$v2 << 4) ? ($v7 >> 1) : ((args.flags + (int64)-1) | -(curtask->pid)));
  $v11 = (int64)~((uint16)(cpu >> 4));
  $v12 = (int64)((-(($v5 - 1)) - curtask->pid) != (~(($v7 || (uid - $#) ? 7 : $v4)) - (int64)-1) ? (1 - $v11) : ((int16)args.mode << 1));
  $v13 = (int64)(cpu - ($v5 < ((uint8)-(args.mode) < (~(($v4 + (int64)-1)) != ((tid - (int64)-1) >= $v10 ? (int16)$v0 : (~($v1) - 1)) ? ((uint64)gid && ~(((65536 && (int16)(rand & 0) ? nsecs : cgroup) % 7)) ? 0 : ((($v3 % 7) != ((((($v1 + 1) < ((args.dfd + $#) ^ ((($v2 - (-1 | (uint32)curtask->real_parent->tgid)) == ($v11 >> 1) ? -1 : 7) % 3)) ? ($v1 ^ (uint8)args.mode) : ($v10 << 1)) || (gid + ((tid % 3) < (tid ^ jiffies) ? jiffies : $v4)) ? 255 : curtask->pid) | $v12) - (($v7 * pid) ^ (curtask->real_parent->tgid + $#))) ? $v1 : ((-1 + tid) >> 1)) < 65536 ? pid : 1000)) : ($v0 ^ ($v12 - 7))) ? (((~((($v7 + 0) != (($v12 + (gid * -1)) & $v4) ? curtask->pid : $v7)) / 3) < $v1 ? args.flags : $v11) & (((-($v2) - $v3) << 1) <= cgroup ? elapsed : 1000)) : ($v0 + $#)) ? $v5 : (255 / 1000)));
  $v14 = (int64)(curtask->pid >> 4);
  $v15 = (int64)(args.mode / 7);
  $v16 = (int64)(uint64)((1 * $v4) - (int64)-1);
  $v17 = (int64)($v4 / 7);
  $v18 = (int64)cgroup;
  $v19 = (int64)1;
  $v20 = (int64)$v10;
  $v21 = (int64)255;
  $v22 = (int64)~(($v2 << 12));
  $v23 = (int64)(-(255) + $v1);
  for ($l24 : 0..(pid % 50)) {
    unroll(2) {
      printf("%s\n", strftime("%H:%M:%S", nsecs));
      $v14 = $v14 + (int64)($v10 << 4);
      $v9 = $v9 + (int64)$v17;
      $v22 = $v22 + (int64)~($v6);
      $v18 = $v18 + (int64)-1;
    }
    $l24 = $l24 + 1;
  }
}`,
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)(cpu ^ 1000);
  $v1 = (int64)1;
  $v2 = (int64)-1;
  $v3 = (int64)(255 & (int16)(($v2 + (tid | curtask->real_parent->tgid)) >= (int8)(args.flags <= (("lit" == comm ? (pid + gid) : gid) >> 1) ? $v1 : pid) ? rand : $v0));
  $v4 = (int64)cgroup;
  $v5 = (int64)pid;
  $v6 = (int64)~(($v3 % 3));
  $v7 = (int64)(elapsed - ((~(((int8)args.dfd - (gid << 4))) != (-(65536) >> 1) ? uid : tid) >> 12));
  $v8 = (int64)((((rand + $v1) / 7) > (uint16)curtask->pid ? $v0 : 0) + gid);
  $v9 = (int64)((($v7 / 1000) & tid) == -(0) ? ~(($v7 << 4)) : 7);
  $v10 = (int64)(uint64)($v7 & 255);
  $v11 = (int64)$v2;
  $v12 = (int64)255;
  $v13 = (int64)(int32)0;
  $v14 = (int64)(int16)$v0;
  $v15 = (int64)($v1 / 7);
  $v16 = (int64)cpu;
  $v17 = (int64)args.flags;
  $v18 = (int64)args.dfd;
  $v19 = (int64)args.mode;
  $v20 = (int64)(uint32)($v3 - $#);
  $v21 = (int64)((((($v1 / 7) << 1) || $v13 ? 1 : $v20) & $v17) << 12);
  $v22 = (int64)(((((255 << 1) / 7) || ($v19 || 65536 ? ((255 - 1) | ($v7 + -100)) : (~($v15) - 1)) ? $v3 : 4294967296) << 4) ^ ($v8 << 12));
  $v23 = (int64)~($v19);
  $l24 = 0;
  while ($l24 < 5000) {
    $l24++;
    $v23 = $v23 ^ (int64)(uint16)$v18;
    $v14 = $v14 ^ (int64)($v0 / 7);
    $v0 = $v0 ^ (int64)(((($v8 >> 1) - 1) & (int16)((-(cgroup) >> 1) <= ((((int32)(int8)4294967296 ^ (rand >> 1)) != rand ? -(1) : (uint32)elapsed) - ($v20 >= ((int64)($v4 + 1) / 1000) ? (curtask->pid / 7) : ($v4 | cgroup))) ? $v18 : $v1)) != (int64)cgroup ? (curtask->real_parent->tgid / 1000) : (65536 ^ $v15));
    for ($l25 : 0..(pid % 50)) {
      $v15 = $v15 ^ (int64)(($v15 << 12) / 7);
      $v19 = $v19 ^ (int64)(((-1 + (cpu + $v17)) + (65536 * $v10)) || ($l25 / 7) ? (int8)pid : $v5);
      $v17 = $v17 ^ (int64)((int64)$v2 || (((1 & curtask->real_parent->tgid) * (pid / 1000)) + ((-1 + args.mode) / 1000)) ? ((uint8)~(($v11 + 1)) < ((($v10 / 1000) + $v8) << 1) ? uid : 1000) : -1);
      for ($l26 : @loopmap) {
        $v0 = $v0 + $v1 + $v22;
        $v1 = $v1 + $v2 + $v15;
        $v2 = $v2 + $v3 + jiffies;
        $v3 = $v3 + $v4 + args.dfd;
        $v4 = $v4 + $v5 + rand;
        $v5 = $v5 + $v6 + uid;
        $v6 = $v6 + $v7 + $v16;
        $v7 = $v7 + $v8 + $v18;
        $v8 = $v8 + $v9 + elapsed;
        $v9 = $v9 + $v10 + $v22;
        $v10 = $v10 + $v11 + $v4;
        $v11 = $v11 + $v12 + jiffies;
        $v12 = $v12 + $v13 + $v17;
        $v13 = $v13 + $v14 + $v7;
        $v14 = $v14 + $v15 + 1;
        $v15 = $v15 + $v16 + curtask->real_parent->tgid;
        $v16 = $v16 + $v17 + $v12;
        $v17 = $v17 + $v18 + 1;
        $v18 = $v18 + $v19 + pid;
        $v19 = $v19 + $v20 + $v13;
        $v20 = $v20 + $v21 + 1000;
        $v21 = $v21 + $v22 + $v4;
        $v22 = $v22 + $v23 + gid;
        $v23 = $v23 + $v0 + $v6;
        @s1[strncmp(probe, str(args.filename, 8), 3)] = count();
      }
      $l25 = $l25 + 1;
    }
  }
  @sum = $v0 + $v1 + $v2 + $v3 + $v4 + $v5 + $v6 + $v7 + $v8 + $v9 + $v10 + $v11 + $v12 + $v13 + $v14 + $v15 + $v16 + $v17 + $v18 + $v19 + $v20 + $v21 + $v22 + $v23;
}`,
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)(4294967296 + jiffies);
  $v1 = (int64)7;
  $v2 = (int64)255;
  $v3 = (int64)(uint16)65536;
  $v4 = (int64)(-100 + (-(~((uint64)curtask->pid)) && ((gid - (255 << 1)) | args.dfd) ? ~(tid) : -(args.mode)));
  $v5 = (int64)(~((args.dfd / 1000)) | gid);
  $v6 = (int64)((uint64)curtask->real_parent->tgid >> 4);
  $v7 = (int64)(0 + (cgroup / 7));
  $v8 = (int64)cgroup;
  $v9 = (int64)(65536 - (jiffies + 1));
  $v10 = (int64)((curtask->pid || $v6 ? cgroup : ($v6 * ($v4 != 1000 ? 1 : uid))) <= $v1 ? ((args.mode == (($v9 + 1) / 1000) ? $v9 : args.flags) % 3) : ((1 - 7) + $#));
  $v11 = (int64)cgroup;
  $v12 = (int64)(7 + $v7);
  $v13 = (int64)1000;
  $v14 = (int64)((uint64)gid - -(~(-1)));
  $v15 = (int64)cgroup;
  $v16 = (int64)~(((-($v4) == $v0 ? $v0 : curtask->real_parent->tgid) << 1));
  $v17 = (int64)(($v2 - 1) - (($v10 >> 1) / 1000));
  $v18 = (int64)-($v15);
  $v19 = (int64)1;
  $v20 = (int64)(int8)(1 + (int64)-1);
  $v21 = (int64)($v16 - (-(curtask->pid) << 4));
  $v22 = (int64)(probe == comm ? $v18 : ($v12 * ($v8 - 1)));
  $v23 = (int64)(7 >> 12);
  for ($l24 : 0..(pid % 50)) {
    $v20 = $v20 ^ (int64)("a longer literal string" != comm ? ((uint32)~(($v6 ^ $v5)) != ~(~($v7)) ? $v16 : curtask->real_parent->tgid) : ($v23 >> 1));
    $v18 = $v18 ^ (int64)($v9 - $v15);
    $v20 = $v20 ^ (int64)(curtask->real_parent->tgid & 65536);
    for ($l25 : 0..(pid % 50)) {
      $v6 = $v6 ^ (int64)(uint64)$v22;
      $v20 = $v20 ^ (int64)tid;
      $v7 = $v7 ^ (int64)-100;
      $l26 = 0;
      while ($l26 < 5000) {
        $l26++;
        $v0 = $v0 + $v1 + $v21;
        $v1 = $v1 + $v2 + $v7;
        $v2 = $v2 + $v3 + curtask->pid;
        $v3 = $v3 + $v4 + $v21;
        $v4 = $v4 + $v5 + $v19;
        $v5 = $v5 + $v6 + gid;
        $v6 = $v6 + $v7 + pid;
        $v7 = $v7 + $v8 + $v3;
        $v8 = $v8 + $v9 + pid;
        $v9 = $v9 + $v10 + $v23;
        $v10 = $v10 + $v11 + curtask->real_parent->tgid;
        $v11 = $v11 + $v12 + elapsed;
        $v12 = $v12 + $v13 + args.dfd;
        $v13 = $v13 + $v14 + $v15;
        $v14 = $v14 + $v15 + args.flags;
        $v15 = $v15 + $v16 + $v6;
        $v16 = $v16 + $v17 + $v21;
        $v17 = $v17 + $v18 + 7;
        $v18 = $v18 + $v19 + pid;
        $v19 = $v19 + $v20 + $v18;
        $v20 = $v20 + $v21 + $v14;
        $v21 = $v21 + $v22 + $v23;
        $v22 = $v22 + $v23 + $v3;
        $v23 = $v23 + $v0 + uid;
        @s1[strcontains(str(args.filename), "a")] = count();
      }
      $l25 = $l25 + 1;
    }
    $l24 = $l24 + 1;
  }
  @sum = $v0 + $v1 + $v2 + $v3 + $v4 + $v5 + $v6 + $v7 + $v8 + $v9 + $v10 + $v11 + $v12 + $v13 + $v14 + $v15 + $v16 + $v17 + $v18 + $v19 + $v20 + $v21 + $v22 + $v23;
}`,
}

// branchyCallbacks are generated scripts whose callbacks hold long
// branching expressions (they end genRegressions).
var branchyCallbacks = []string{
	// Seed 92286 and heavy generator scripts 7280 and 16512
	// (GOBPFTRACE_GEN_HEAVY=20): "BPF program is too large" inside one
	// long branching expression in a bpf_loop callback (a sum() argument in
	// a run-time range; an if ending in return, unrolled twice in a
	// constant range; an assignment in a run-time range unrolled twice).
	// Until a loop's rounds are all checked the verifier compares the
	// callback's states with dead slots exact; left operands spilled on one
	// path of a ternary or && chain and not on another kept the paths
	// apart at every later join, within the statement, before settleTemps
	// could zero them. A spill slot is now zeroed once reloaded
	// (dropSpill) and two string literals are compared at compile time:
	// 12,522, 822,378 and 81,089 instructions processed. Then a member
	// read's helper output is zeroed once read (dropTemp), the dividend's
	// spill on the divide-by-zero path too, and a ternary's arm read from
	// a variable loses its link to the variable's slot (unlinkArm): 2,345,
	// 16,868 and 54,515 (TestBranchyCallbacksVerifierMargin).
	`tracepoint:sched:sched_switch {
  for ($i0 : 0..pid % 50) {
    @k1[comm] = sum((uint8)($i0 || (((nsecs | (((((rand + 1) - (int64)-1) - 1) == gid ? nsecs : curtask->pid) | ((("lit" == "bash" ? curtask->pid : uid) / 1000) > nsecs ? cpu : curtask->pid))) > ((uid - ("lit" == "sshd" ? cpu : -1)) * ($i0 >> 4)) ? ((1000 & 255) >> 4) : (args.next_pid << 12)) < (int16)((uint8)0 << 12) ? (elapsed < ((((nsecs + (cgroup ^ elapsed)) && ((uint64)((elapsed != ~(4294967296) ? elapsed : uid) == (((((((curtask->pid + ((rand - 1) - (int64)-1)) < (-(tid) | ((1 + args.next_pid) + (int8)cpu)) ? 65536 : pid) + 4294967296) % 3) <= curtask->real_parent->tgid ? jiffies : rand) && (((uint16)curtask->pid - (int64)-1) ^ ((-(7) - $#) != (255 + 1) ? (((tid && gid ? 4294967296 : -(curtask->pid)) & (args.prev_pid << 12)) != pid ? tid : nsecs) : (probe == "sshd" ? args.prev_pid : args.prev_pid))) ? (curtask->real_parent->tgid & (cpu - $#)) : 255) <= ((7 | (args.prev_prio * cgroup)) & (cgroup - ~(args.prev_prio))) ? args.next_pid : $i0) ? cgroup : 1) / 1000) ? uid : $i0) * ((nsecs / 7) >= curtask->real_parent->tgid ? -1 : -1)) % 3) ? (int8)jiffies : args.next_pid) : -1) ? -(-100) : -(0)));
  }
  @ki2[(elapsed | (int8)7)] = tid;
  @ki2[((4294967296 + 1) / 1000)] -= 7;
  print(-100);
  @ms3[(gid / 7)] = "a longer literal string";
  @ms3[gid] = probe;
}
tracepoint:raw_syscalls:sys_enter {
  @c4 = count();
  printf("p %u\n", (uint8)(1 - 1));
}`,
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)-(pid);
  $v1 = (int64)rand;
  $v2 = (int64)(((255 + 1) ^ $v0) * (uint8)(cpu + $#));
  $v3 = (int64)(4294967296 << 12);
  $v4 = (int64)65536;
  $v5 = (int64)jiffies;
  $v6 = (int64)((-(7) / 1000) + (int64)-1);
  $v7 = (int64)(curtask->pid > ((1 & tid) - (int64)-1) ? $v4 : ((255 ^ 65536) / 1000));
  $v8 = (int64)(uint8)(((gid * $v3) && ((uint64)(1000 >> 4) / 7) ? jiffies : $v7) - (int64)-1);
  $v9 = (int64)cpu;
  $v10 = (int64)($v1 % 1000);
  $v11 = (int64)(int16)(-(1000) - (int64)-1);
  $v12 = (int64)$v3;
  $v13 = (int64)$v2;
  $v14 = (int64)(int8)($v3 / 7);
  $v15 = (int64)(uid % 7);
  $v16 = (int64)(args.dfd << 1);
  $v17 = (int64)((-(elapsed) >> 4) ^ (-1 + 1));
  $v18 = (int64)jiffies;
  $v19 = (int64)$v3;
  $v20 = (int64)($v15 << 12);
  $v21 = (int64)~($v6);
  $v22 = (int64)(probe == "bash" ? $v10 : 7);
  $v23 = (int64)((($v13 - args.flags) & -(rand)) & ((1 / 7) - 1));
  for ($l24 : 0..3) {
    unroll(2) {
      if ((cpu / 7) || ($v16 || ((int32)args.flags - ((tid > $v8 ? nsecs : -100) / 3)) ? $v23 : (($v12 - (int64)-1) + ($v5 < (((nsecs << 4) / 1000) ^ ($v5 <= cpu ? (tid | args.mode) : ($v15 || ((cpu < ((int64)(-100 <= $v18 ? ~(curtask->real_parent->tgid) : (uint16)0) == ~((elapsed - (int64)-1)) ? $v21 : ($v7 * uid)) ? $v19 : $v13) && ($v4 || ($v7 ^ ("lit" != "sshd" ? args.flags : (args.flags & $v10))) ? ($v15 ^ $v13) : 1) ? ($v11 * ($v11 + $#)) : 255) ? $v20 : args.flags))) ? $v8 : nsecs)))) { return; }
      $v11 = $v11 + (int64)(pid - (int64)-1);
      $v13 = $v13 + (int64)((((nsecs > ((uint32)$v21 * $v3) ? (tid - 1) : nsecs) | $v11) && ($v9 && $v14 ? (7 <= $v2 ? ($v4 >> 1) : $v7) : $v11) ? $v4 : 65536) + $v10);
      $v18 = $v18 + (int64)$v8;
      $v20 = $v20 + (int64)((gid / 3) >> 12);
    }
    $l24 = $l24 + 1;
  }
}`,
	`tracepoint:syscalls:sys_enter_openat {
  @loopmap[1] = 1; @loopmap[2] = 4;
  $v0 = (int64)(int16)((curtask->real_parent->tgid + cpu) + 1);
  $v1 = (int64)-1;
  $v2 = (int64)rand;
  $v3 = (int64)65536;
  $v4 = (int64)($v0 * rand);
  $v5 = (int64)(-(pid) | elapsed);
  $v6 = (int64)-100;
  $v7 = (int64)(int16)$v0;
  $v8 = (int64)(probe == "sshd" ? ((0 - (int64)-1) < -1 ? $v1 : 7) : curtask->pid);
  $v9 = (int64)((((args.flags % 1000) ^ ("a longer literal string" == comm ? ($v6 << 4) : ($v0 | 65536))) && 4294967296 ? (-(args.dfd) | ("a longer literal string" != "sshd" ? 1000 : 1)) : -(($v3 << 1))) && 255 ? ~(4294967296) : (comm != comm ? jiffies : (uint8)cgroup));
  $v10 = (int64)nsecs;
  $v11 = (int64)($v9 ^ ((probe == comm ? $v10 : $v10) % 3));
  $v12 = (int64)(int64)((uint16)$v10 % 1000);
  $v13 = (int64)(uint8)((int16)$v0 | ($v5 - 1));
  $v14 = (int64)(int8)(((0 ^ $v0) - (cpu & ($v6 << 12))) != ~((pid && ((args.mode ^ -(cgroup)) >> 4) ? pid : (255 / 1000))) ? ($v2 % 1000) : 65536);
  $v15 = (int64)$v7;
  $v16 = (int64)((uint8)($v2 - $#) / 3);
  $v17 = (int64)-1;
  $v18 = (int64)(1 & (-1 % 7));
  $v19 = (int64)(int16)curtask->real_parent->tgid;
  $v20 = (int64)($v18 >> 4);
  $v21 = (int64)((int32)(255 * jiffies) >> 12);
  $v22 = (int64)($v13 + (int64)-1);
  $v23 = (int64)$v4;
  unroll(2) {
    for ($l25 : 0..(pid % 50)) {
      @s1[strcontains("lit", "a")] = count();
      $v22 = $v22 + (int64)nsecs;
      $v16 = $v16 + (int64)(($v17 >> 12) - ($v5 + gid));
      $v13 = $v13 + (int64)(curtask->pid - (((($v9 + ($v5 && $v9 ? $v20 : $v17)) ^ ((($v23 * (int32)$v18) + 4294967296) || $v6 ? args.dfd : ($v7 - 1))) < ($v22 | (((((nsecs >= ($v18 + (int64)-1) ? ((gid / 7) >> 1) : $v12) > args.dfd ? ($v7 * $v20) : $v20) || (int64)($v15 >> 1) ? (int8)$v11 : (255 || (($v7 / 3) >> 4) ? $v18 : $v11)) - $v17) && ((($v19 / 1000) - ((-((args.flags & rand)) & uid) == (int64)((uint32)jiffies | (uint16)$v0) ? tid : args.flags)) ^ (nsecs & $v16)) ? (((((args.flags << 12) | ((("a longer literal string" == "sshd" ? (-100 & $v11) : (0 + 1)) >> 1) > (((((uint32)(args.dfd % 7) - $v9) < (int16)(pid || $v2 ? 1000 : elapsed) ? $v19 : nsecs) / 3) << 12) ? -(args.dfd) : pid)) != (comm != comm ? ($v6 & $v8) : (uint16)($v10 - $#)) ? ~(4294967296) : (uint16)$v8) + $#) || (((4294967296 << 4) % 1000) != $l25 ? $v7 : (~(cgroup) % 3)) ? $v4 : 1) : ($v11 % 3))) ? 7 : $v5) != gid ? $v21 : elapsed));
      $v11 = $v11 + (int64)~($v10);
      $l25 = $l25 + 1;
    }
  }
}`,
}

func init() { genRegressions = append(genRegressions, branchyCallbacks...) }

// The scripts of branchyCallbacks stay far below the verifier's million
// instructions: a fifth of it at most (they took up to 822,378 before the
// paths through their expressions were made to meet again, see there).
func TestBranchyCallbacksVerifierMargin(t *testing.T) {
	requireRoot(t)
	env, err := probes.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	for i, src := range branchyCallbacks {
		prog, err := parser.Parse("gen.bt", src)
		if err != nil {
			t.Fatal(err)
		}
		c, err := check.Check(prog, "gen.bt", src, env, check.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := codegen.Compile(c)
		if err != nil {
			t.Fatal(err)
		}
		counts, err := load.VerifiedInstructions(plan)
		if err != nil {
			t.Fatalf("script %d: %v", i, err)
		}
		for name, n := range counts {
			t.Logf("script %d, %s: %d instructions processed", i, name, n)
			if n > 200_000 {
				t.Errorf("script %d, %s: the verifier processed %d instructions, more than 200,000", i, name, n)
			}
		}
		if len(counts) == 0 {
			t.Errorf("script %d: no verifier statistics", i)
		}
	}
}

// TestGeneratedScriptsLoad compiles generated scripts and loads every one
// the checker and codegen accept into the kernel. A verifier rejection is
// a compiler bug. GOBPFTRACE_GEN=N runs N scripts (default 300),
// GOBPFTRACE_GEN_SEED picks the first seed.
func TestGeneratedScriptsLoad(t *testing.T) {
	requireRoot(t)
	env, err := probes.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	n, seed0 := 500, int64(1)
	fmt.Sscan(os.Getenv("GOBPFTRACE_GEN"), &n)
	fmt.Sscan(os.Getenv("GOBPFTRACE_GEN_SEED"), &seed0)
	var checkRejected, codegenRejected, loadedOK int
	rejections := map[string]int{}
	for seed := seed0 - int64(len(genRegressions)); seed < seed0+int64(n); seed++ {
		var src string
		if i := seed - seed0 + int64(len(genRegressions)); i >= 0 && i < int64(len(genRegressions)) && seed < seed0 {
			src = genRegressions[i]
		} else {
			src = (&scriptGen{r: rand.New(rand.NewSource(seed))}).script()
		}
		prog, err := parser.Parse("gen.bt", src)
		if err != nil {
			t.Fatalf("seed %d: generated script does not parse: %v\n%s", seed, err, src)
		}
		c, err := check.Check(prog, "gen.bt", src, env, check.Options{})
		if err != nil {
			checkRejected++
			var d *lang.Diagnostics
			if errors.As(err, &d) && len(d.List) > 0 {
				rejections[d.List[0].Msg]++
			}
			continue
		}
		plan, err := codegen.Compile(c)
		if err != nil && seed < seed0 {
			t.Errorf("regression %d: codegen refused it:\n%s\n%v", seed-seed0+int64(len(genRegressions)), src, err)
			continue
		}
		if err != nil {
			codegenRejected++
			rejections["codegen: "+strings.SplitN(err.Error(), "\n", 2)[0]]++
			continue
		}
		l, err := load.Load(plan, load.Options{Verbose: true})
		if err != nil {
			t.Errorf("seed %d: the checker accepted this script but the kernel refused it:\n%s\n%v", seed, src, err)
			continue
		}
		l.Close()
		loadedOK++
	}
	t.Logf("%d scripts: %d loaded, %d refused by the checker, %d by codegen", n, loadedOK, checkRejected, codegenRejected)
	for msg, k := range rejections {
		t.Logf("  %3d× %s", k, msg)
	}
	if loadedOK < n*3/4 {
		t.Errorf("only %d of %d generated scripts got to the kernel: the generator writes too many invalid scripts", loadedOK, n)
	}
}

// Generated scripts compiled as -k compiles them (every helper's failure
// checked and reported), half of them with config on_stack_limit = 8,
// which sends every value above 8 bytes, -k's records included, to the
// scratch buffer: each must load. A map read's miss report once read R0
// back from such a record, where the verifier takes it for a number, and
// refused the value's load. GOBPFTRACE_GEN=N runs N scripts (default 300).
func TestGeneratedScriptsLoadWithHelperChecks(t *testing.T) {
	requireRoot(t)
	env, err := probes.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	n := 300
	fmt.Sscan(os.Getenv("GOBPFTRACE_GEN"), &n)
	loaded := 0
	for seed := int64(1); seed <= int64(n); seed++ {
		src := (&scriptGen{r: rand.New(rand.NewSource(seed))}).script()
		if seed%2 == 0 {
			src = "config = { on_stack_limit = 8 }\n" + src
		}
		prog, err := parser.Parse("gen.bt", src)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		c, err := check.Check(prog, "gen.bt", src, env, check.Options{})
		if err != nil {
			continue // literal arithmetic bpftrace refuses too (see TestGeneratedScriptsLoad)
		}
		plan, err := codegen.Compile(c, codegen.Options{HelperErrors: true})
		if err != nil {
			t.Errorf("seed %d: codegen refused it: %v", seed, err)
			continue
		}
		l, err := load.Load(plan, load.Options{Verbose: true})
		if err != nil {
			t.Errorf("seed %d: the kernel refused it:\n%s\n%v", seed, src, err)
			continue
		}
		l.Close()
		loaded++
	}
	if loaded < n*3/4 {
		t.Errorf("only %d of %d scripts loaded", loaded, n)
	}
}
