package check

import (
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/lang/printer"
)

// The system call numbers of <syscall.h> and <asm/unistd.h>: the first,
// one in the middle, both ends of the gap in x86-64's numbering and the
// newest; SYS_name only where glibc's headers define it.
func TestSyscallHeaderNumbers(t *testing.T) {
	cases := map[string]string{
		"#include <syscall.h>\nBEGIN { $x = (__NR_read, __NR_nanosleep, SYS_getpid, __NR_kexec_file_load, __NR_pidfd_send_signal, __NR_file_setattr); }": "BEGIN {\n  $x = (0, 35, 39, 320, 424, 469);\n}\n",
		"#include <sys/syscall.h>\nBEGIN { $x = SYS_openat; }":                 "BEGIN {\n  $x = 257;\n}\n",
		"#include <asm/unistd.h>\nBEGIN { $x = (__NR_openat, SYS_openat); }":   "BEGIN {\n  $x = (257, SYS_openat);\n}\n",
		"#include <syscall.h>\n#define __NR_read 7\nBEGIN { $x = __NR_read; }": "BEGIN {\n  $x = 7;\n}\n",
	}
	for src, want := range cases {
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			t.Fatal(err)
		}
		if errs := expandMacros(prog); len(errs) > 0 {
			t.Fatalf("%q: %s", src, errs[0].Msg)
		}
		prog.Directives = nil
		if got := printer.Print(prog); got != want {
			t.Errorf("%q expands to\n%s\nwant\n%s", src, got, want)
		}
	}
}
