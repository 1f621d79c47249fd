package main

// -f pprof and -f folded against a program whose stacks the test knows:
// testdata/helpers/callchain.c calls main -> a -> b -> c and main -> b -> c
// a given number of times, c makes the getppid system call itself.

import (
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"golang.org/x/sys/unix"
)

// callchainPath builds the helper without optimisation and with frame
// pointers, so every function has its frame and the kernel can walk it.
func callchainPath(t *testing.T) string {
	return buildCHelper(t, "callchain", "-O0", "-fno-omit-frame-pointer")
}

// The script of both tests: the user stack (3 frames: c, b and its
// caller) at each call of c, and the kernel and user stacks at c's system
// call. main -> a -> b -> c runs 5 times, main -> b -> c 3 times.
func callchainScript(cc string) string {
	return fmt.Sprintf(`uprobe:%[1]s:c { @[ustack(3), comm] = count(); }
tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { @sys[kstack, ustack(3)] = count(); }
uprobe:%[1]s:a { @calls = count(); }`, cc)
}

func TestFoldedKnownStacks(t *testing.T) {
	requireRoot(t)
	cc := callchainPath(t)
	res := trace(t, traceRun{args: []string{"-f", "folded", "-c", cc + " 5 3", "-e", callchainScript(cc)}})
	mustExit(t, res, 0)
	// The kernel's part of @sys depends on the kernel: check it by shape.
	sysLine := regexp.MustCompile(`^@sys;(main|a);b;c;(entry_SYSCALL_64_after_hwframe_\[k\]);([^; ]+_\[k\];)*[^; ]+_\[k\] ([35])$`)
	var lines, sys []string
	for _, l := range strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n") {
		if m := sysLine.FindStringSubmatch(l); m != nil {
			sys = append(sys, m[1]+" "+m[4])
			if !strings.Contains(l, ";do_syscall_64_[k];") {
				t.Errorf("no do_syscall_64 in the kernel stack: %s", l)
			}
			continue
		}
		lines = append(lines, l)
	}
	want := []string{"@;callchain;a;b;c 5", "@;callchain;main;b;c 3"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("folded stacks of @:\n%s\nwant:\n%s\n(stdout:\n%s)", strings.Join(lines, "\n"), strings.Join(want, "\n"), res.stdout)
	}
	sort.Strings(sys)
	if strings.Join(sys, ",") != "a 5,main 3" {
		t.Errorf("folded stacks of @sys: %q\nstdout:\n%s", sys, res.stdout)
	}
	if res.stderr != "Attached 3 probes\n\n\n@calls: 5\n" {
		t.Errorf("stderr: %q", res.stderr)
	}
}

func TestPprofKnownStacks(t *testing.T) {
	requireRoot(t)
	cc := callchainPath(t)
	path := filepath.Join(t.TempDir(), "profile.pb.gz")
	res := trace(t, traceRun{args: []string{"-f", "pprof", "-o", path, "-c", cc + " 5 3", "-e", callchainScript(cc)}})
	mustExit(t, res, 0)
	if res.stdout != "" || res.stderr != "Attached 3 probes\n\n\n@calls: 5\n" {
		t.Errorf("stdout %q, stderr %q", res.stdout, res.stderr)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Parse(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.SampleType) != 2 || prof.SampleType[0].Type != "@" || prof.SampleType[1].Type != "@sys" || prof.SampleType[0].Unit != "count" {
		t.Fatalf("sample types: %v", prof.SampleType)
	}
	// Add up the samples by map, user frames (leaf first), labels.
	got := map[string]int64{}
	for _, s := range prof.Sample {
		var user, kernel []string
		for _, loc := range s.Location {
			name := loc.Line[0].Function.Name
			if loc.Mapping.File == "[kernel.kallsyms]" {
				if !strings.HasSuffix(name, "_[k]") || len(user) > 0 {
					t.Errorf("kernel frame %s out of place in %v", name, s.Location)
				}
				kernel = append(kernel, name)
				continue
			}
			if loc.Mapping.File != cc {
				t.Errorf("frame %s in %s, not in %s", name, loc.Mapping.File, cc)
			}
			user = append(user, name)
		}
		for n, v := range s.Value {
			if v == 0 {
				continue
			}
			key := fmt.Sprintf("%s %s %v", prof.SampleType[n].Type, strings.Join(user, ","), s.Label["key1"])
			if n == 1 && !strings.Contains(strings.Join(kernel, ","), "do_syscall_64_[k]") {
				t.Errorf("kernel stack of the syscall: %v", kernel)
			}
			if n == 0 && len(kernel) > 0 {
				t.Errorf("kernel frames in a user stack: %v", kernel)
			}
			got[key] += v
		}
	}
	want := map[string]int64{
		"@ c,b,a [callchain]":    5,
		"@ c,b,main [callchain]": 3,
		"@sys c,b,a []":          5,
		"@sys c,b,main []":       3,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("samples: %v\nwant %v", got, want)
	}

	// go tool pprof reads it: the top of @ is c (8 calls, all flat), then
	// b (8, cumulative), a (5) and main (3).
	out, err := exec.Command("go", "tool", "pprof", "-top", "-sample_index=@", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.Fields(l); len(f) == 6 {
			rows[f[5]] = f[0] + " " + f[3]
		}
	}
	for fn, flatCum := range map[string]string{"c": "8 8", "b": "0 8", "a": "0 5", "main": "0 3"} {
		if rows[fn] != flatCum {
			t.Errorf("go tool pprof -top: %s has flat, cum %q, want %q\n%s", fn, rows[fn], flatCum, out)
		}
	}
}

// -f pprof needs a stack map, and a file when stdout is a terminal.
func TestPprofRefusals(t *testing.T) {
	requireRoot(t)
	res := trace(t, traceRun{args: []string{"-f", "pprof", "-o", filepath.Join(t.TempDir(), "p"), "-e", "BEGIN { @[comm] = count(); exit(); }"}, noAttach: true})
	mustExit(t, res, 1)
	if want := "ERROR: output format pprof writes the maps keyed by kstack or ustack, and this script has none: key a map by a stack, as in @[kstack, ustack, comm] = count()\n"; res.stderr != want {
		t.Errorf("stderr %q, want %q", res.stderr, want)
	}
	res = trace(t, traceRun{args: []string{"-f", "folded", "-e", "BEGIN { @[comm] = count(); exit(); }"}, noAttach: true})
	mustExit(t, res, 1)
	if !strings.HasPrefix(res.stderr, "ERROR: output format folded writes the maps keyed by kstack or ustack") {
		t.Errorf("stderr %q", res.stderr)
	}
}

// A binary profile is not written to a terminal, and the interactive
// session has no stack formats (checked before anything needs root).
func TestStackFormatsOnATerminal(t *testing.T) {
	master, slave := ptyPair(t)
	defer master.Close()
	defer slave.Close()
	var stderr strings.Builder
	code := run([]string{"-f", "pprof", "-e", "profile:hz:99 { @[kstack] = count(); }"}, strings.NewReader(""), slave, &stderr)
	if want := "ERROR: -f pprof writes a binary profile, not text for the terminal: name its file with -o FILE (as in -o profile.pb.gz), or redirect stdout\n"; code != 1 || stderr.String() != want {
		t.Errorf("pprof to a terminal: code %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	code = run([]string{"-f", "folded"}, slave, slave, &stderr)
	if want := "ERROR: -f folded writes a script's stack maps when it ends: give the script with -e or a file (the interactive session prints text)\n"; code != 1 || stderr.String() != want {
		t.Errorf("folded in the interactive session: code %d, stderr %q", code, stderr.String())
	}
}

// A stack that cannot be recorded is reported where it is taken, with -k
// or without, as bpftrace v0.26 reports a failed get_stack: here the
// stack map has one bucket (max_map_keys = 1), which the kernel stack
// takes, so the user stack of the same system call finds it full. A
// stack the probe does not have (the kernel stack in a uprobe, EFAULT) is
// an empty stack and no warning, even with -k.
func TestStackWarnings(t *testing.T) {
	requireRoot(t)
	cc := callchainPath(t)
	script := fmt.Sprintf(`config = { max_map_keys = 1 }
uprobe:%s:c { $k = kstack(5); @c = count(); }
tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { $k = kstack(3); $u = ustack(3); @s = count(); }`, cc)
	line := `tracepoint:syscalls:sys_enter_getppid /pid == cpid/ { $k = kstack(3); $u = ustack(3); @s = count(); }`
	warning := "stdin:3:76-85: WARNING: Stack map full; can't record the stack. Try increasing max_map_keys config\n" +
		"Additional Info - helper: get_stackid, retcode: -17\n" + line + "\n" + strings.Repeat(" ", 75) + strings.Repeat("~", 9) + "\n"
	for _, k := range []bool{false, true} {
		args := []string{"-c", cc + " 1 0", "-e", script}
		if k {
			args = append([]string{"-k"}, args...)
		}
		res := trace(t, traceRun{args: args})
		wantOutput(t, res, "\n\n@c: 1\n@s: 1\n", "Attached 2 probes\n"+warning)
	}
}

// A stack the stack map had no room for is missing when the map prints:
// as bpftrace, the error says so ("failed to look up stack id") and the
// stack prints empty. One bucket (max_map_keys = 1), taken by the kernel
// stack, leaves none for the user stack of the same system call.
func TestLostStackPrinted(t *testing.T) {
	requireRoot(t)
	script := `config = { max_map_keys = 1 }
tracepoint:syscalls:sys_enter_getppid /pid == $1/ { $k = kstack(3); @u[ustack(3)] = count(); exit(); }`
	pid := os.Getpid()
	res := trace(t, traceRun{args: []string{"-e", script, fmt.Sprint(pid)}, trigger: func(t *testing.T) { unix.Getppid() }})
	mustExit(t, res, 0)
	if want := "\n\n@u[]: 1\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	want := fmt.Sprintf("ERROR: failed to look up stack id: -17 stack length: 3 (pid %d): BPF map operation lookup failed: No such file or directory [map = stack3]\n", pid)
	if !strings.HasSuffix(res.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to end with:\n%s", res.stderr, want)
	}
}

// ustack(build_id): each frame is the build id of its file and its offset
// in the file (bpftrace's format), here all in the helper itself, whose
// symbols say which function each offset falls in.
func TestUstackBuildID(t *testing.T) {
	requireRoot(t)
	cc := callchainPath(t)
	f, err := elf.Open(cc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buildID := elfBuildID(t, f)
	syms, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	// funcAt names the function holding a file offset, with the offset
	// into it.
	funcAt := func(off uint64) string {
		for _, p := range f.Progs {
			if p.Type != elf.PT_LOAD || off < p.Off || off >= p.Off+p.Filesz {
				continue
			}
			addr := off - p.Off + p.Vaddr
			for _, s := range syms {
				if elf.ST_TYPE(s.Info) == elf.STT_FUNC && addr >= s.Value && addr < s.Value+s.Size {
					return fmt.Sprintf("%s+%d", s.Name, addr-s.Value)
				}
			}
		}
		return fmt.Sprintf("?%#x", off)
	}
	// checkStacks checks the build-id stacks of the run's @ map.
	checkStacks := func(t *testing.T, stdout string) {
		t.Helper()
		frame := regexp.MustCompile(`^([0-9a-f]{40}) 0x([0-9a-f]{2,})$`)
		var got []string
		for _, entry := range regexp.MustCompile(`(?m)^@\[\n((?:[0-9a-f].*\n)+)\]: \d+$`).FindAllStringSubmatch(stdout, -1) {
			var names []string
			for _, l := range strings.Split(strings.TrimSuffix(entry[1], "\n"), "\n") {
				m := frame.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("frame %q is not a build id and an offset (stdout:\n%s)", l, stdout)
				}
				if m[1] != buildID {
					t.Errorf("build id %s, want the helper's %s", m[1], buildID)
				}
				var off uint64
				fmt.Sscanf(m[2], "%x", &off)
				names = append(names, funcAt(off))
			}
			got = append(got, strings.Join(names, " "))
		}
		// Sorted by count: main -> b -> c 3 times, a -> b -> c 5 times.
		if want := regexp.MustCompile(`^c\+0 b\+\d+ main\+\d+,c\+0 b\+\d+ a\+\d+$`); !want.MatchString(strings.Join(got, ",")) {
			t.Errorf("stacks %q, want c+0 b+N main+N then c+0 b+N a+N\nstdout:\n%s", got, stdout)
		}
	}
	t.Run("call", func(t *testing.T) {
		script := fmt.Sprintf(`uprobe:%s:c { @[ustack(build_id, 3)] = count(); }`, cc)
		res := trace(t, traceRun{args: []string{"-c", cc + " 5 3", "-e", script}})
		wantOutput(t, res, res.stdout, "Attached 1 probe\n")
		checkStacks(t, res.stdout)
	})
	// config stack_mode = build_id (or BPFTRACE_STACK_MODE) is the mode of
	// ustack and ustack(N); a bare kstack falls back to raw with
	// bpftrace's warning (no kernel frames in a uprobe).
	t.Run("config", func(t *testing.T) {
		script := fmt.Sprintf(`config = { stack_mode = build_id } uprobe:%s:c { @[ustack(3)] = count(); @k[kstack] = count(); }`, cc)
		res := trace(t, traceRun{args: []string{"-c", cc + " 5 3", "-e", script}})
		col := strings.Index(script, "kstack")
		wantErr := fmt.Sprintf("stdin:1:%d-%d: WARNING: 'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.\n%s\n%s%s\nAttached 1 probe\n",
			col+1, col+7, script, strings.Repeat(" ", col), strings.Repeat("~", 6))
		wantOutput(t, res, res.stdout, wantErr)
		if !strings.Contains(res.stdout, "@k[\n]: 8\n") {
			t.Errorf("kstack in a uprobe: stdout\n%s", res.stdout)
		}
		checkStacks(t, res.stdout)
	})
	t.Run("env", func(t *testing.T) {
		script := fmt.Sprintf(`uprobe:%s:c { @[ustack(3)] = count(); }`, cc)
		res := trace(t, traceRun{args: []string{"-c", cc + " 5 3", "-e", script}, env: []string{"BPFTRACE_STACK_MODE=build_id"}})
		wantOutput(t, res, res.stdout, "Attached 1 probe\n")
		checkStacks(t, res.stdout)
	})
	// A kstack() call in build_id mode is refused, as in bpftrace v0.26.
	t.Run("kstack", func(t *testing.T) {
		script := fmt.Sprintf(`uprobe:%s:c { @k[kstack(build_id, 1)] = count(); }`, cc)
		res := trace(t, traceRun{args: []string{"-e", script}, noAttach: true})
		mustExit(t, res, 1)
		col := strings.Index(script, "kstack(")
		want := fmt.Sprintf("stdin:1:%d-%d: ERROR: 'build_id' stack mode can only be used for ustack\n%s\n%s%s\nHINT: the kernel records build ids of user frames only: use ustack(build_id), or kstack(raw) for kernel addresses\n",
			col+1, col+20, script, strings.Repeat(" ", col), strings.Repeat("~", 19))
		if res.stderr != want {
			t.Errorf("stderr %q\nwant %q", res.stderr, want)
		}
	})
}

// elfBuildID reads the GNU build id note of an ELF file, in hex.
func elfBuildID(t *testing.T, f *elf.File) string {
	t.Helper()
	s := f.Section(".note.gnu.build-id")
	if s == nil {
		t.Fatal("no build id note")
	}
	data, err := s.Data()
	if err != nil || len(data) < 16 {
		t.Fatalf("build id note: %v", err)
	}
	nameSize, descSize := binary.LittleEndian.Uint32(data), binary.LittleEndian.Uint32(data[4:])
	desc := 12 + (nameSize+3)&^3
	return hex.EncodeToString(data[desc : desc+descSize])
}
