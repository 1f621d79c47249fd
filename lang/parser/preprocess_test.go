package parser

import (
	"strings"
	"testing"
)

// Conditional directives keep the active lines, blank the others (and
// themselves) without moving any position.
func TestPreprocess(t *testing.T) {
	tests := []struct{ src, keep string }{
		{"#ifdef BPFTRACE_HAVE_BTF\nA\n#else\nB\n#endif\n", "A"},
		{"#ifndef BPFTRACE_HAVE_BTF\n#include <linux/sched.h>\nA\n#endif\nB\n", "B"},
		{"#if 0\nA\n#elif defined(BPFTRACE_HAVE_BTF) && !defined(NOPE)\nB\n#elif 1\nC\n#else\nD\n#endif\n", "B"},
		{"#define N 3\n#if N > 2 || X\nA\n#endif\n", "#define N 3 A"},
		{"#if 1\n#if 0\nA\n#else\nB\n#endif\n#else\nC\n#endif\n", "B"},
		{"#if 0\n#define N 5\n#endif\n#ifdef N\nA\n#endif\nB\n", "B"},
		{"/*\n#ifdef FOO\n*/\nA\n", "/* #ifdef FOO */ A"},
		{"#define F\n#undef F\n#ifdef F\nA\n#endif\nB\n", "#define F B"},
	}
	for _, tc := range tests {
		out, err := preprocess(tc.src)
		if err != nil {
			t.Errorf("%q: %s", tc.src, err.msg)
			continue
		}
		if len(out) != len(tc.src) || strings.Count(out, "\n") != strings.Count(tc.src, "\n") {
			t.Errorf("%q: positions moved: %q", tc.src, out)
		}
		if got := strings.Join(strings.Fields(out), " "); got != tc.keep {
			t.Errorf("%q: kept %q, want %q", tc.src, got, tc.keep)
		}
	}
}

func TestPreprocessErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"#ifdef X\nBEGIN {}\n", "stdin:1:1-9: ERROR: unterminated conditional directive: #endif missing\n#ifdef X\n~~~~~~~~"},
		{"BEGIN {}\n#endif\n", "stdin:2:1-7: ERROR: #endif without #if\n#endif\n~~~~~~"},
		{"#if 1\n#else\n#else\n#endif\n", "stdin:3:1-6: ERROR: #else after #else\n#else\n~~~~~"},
		{"#if (1\n#endif\n", "stdin:1:1-7: ERROR: invalid #if condition: (1\n#if (1\n~~~~~~"},
	}
	for _, tc := range tests {
		_, err := Parse("stdin", tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\ngot:\n%v\nwant:\n%s", tc.src, err, tc.want)
		}
	}
}
