package parser_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// errorCases pairs a bad script with the exact text of its diagnostics.
var errorCases = []struct{ src, want string }{
	// bpftrace v0.26 macros have no variadic parameters.
	{"macro f(x, ...) { x } BEGIN { }", "stdin:1:12-14: ERROR: syntax error, unexpected .., expecting variable or map or identifier\nmacro f(x, ...) { x } BEGIN { }\n           ~~\nHINT: a macro takes a fixed number of arguments, as in bpftrace v0.26 (no ... parameters): define one macro per number of arguments, overloads may share a name"},
	{"macro f(...) { 1 } BEGIN { }", "stdin:1:9-11: ERROR: syntax error, unexpected .., expecting )\nmacro f(...) { 1 } BEGIN { }\n        ~~\nHINT: a macro takes a fixed number of arguments, as in bpftrace v0.26 (no ... parameters): define one macro per number of arguments, overloads may share a name"},
	{"macro f(x) { x } BEGIN { print(f(1, ...)); }", "stdin:1:37-39: ERROR: syntax error, unexpected ..\nmacro f(x) { x } BEGIN { print(f(1, ...)); }\n                                    ~~"},
	{"BEGIN { $a = { $b = 1; }; }", "stdin:1:24-25: ERROR: syntax error, a block used as a value must end with an expression\nBEGIN { $a = { $b = 1; }; }\n                       ~\nHINT: a block's value is its last expression, written without ';' after it: { $a += 1; $a }"},
	{"BEGIN { $a = if (1) { 2 }; }", "stdin:1:25-26: ERROR: syntax error, an if expression needs an else branch\nBEGIN { $a = if (1) { 2 }; }\n                        ~\nHINT: an if used as a value needs an else branch: if (c) { a } else { b }"},
	{"BEGIN { print({ }); }", "stdin:1:17-18: ERROR: syntax error, a block used as a value must end with an expression\nBEGIN { print({ }); }\n                ~\nHINT: a block's value is its last expression, written without ';' after it: { $a += 1; $a }"},
	{"kprobe:f { @x[pid = count(); }", "stdin:1:19-20: ERROR: syntax error, unexpected =\nkprobe:f { @x[pid = count(); }\n                  ~"},
	{"BEGIN { printf(\"%d\\n\" pid); }", "stdin:1:23-26: ERROR: syntax error, unexpected identifier, expecting )\nBEGIN { printf(\"%d\\n\" pid); }\n                      ~~~"},
	{"BEGIN { if ($x > 1 { } }", "stdin:1:20-21: ERROR: syntax error, unexpected {, expecting )\nBEGIN { if ($x > 1 { } }\n                   ~"},
	{"BEGIN { @x = $y ? 1 }", "stdin:1:21-22: ERROR: syntax error, unexpected }, expecting :\nBEGIN { @x = $y ? 1 }\n                    ~"},
	{"BEGIN { let x = 1; }", "stdin:1:13-14: ERROR: syntax error, unexpected identifier, expecting variable\nBEGIN { let x = 1; }\n            ~"},
	{"BEGIN { return 1 2 }", "stdin:1:18-19: ERROR: syntax error, unexpected integer, expecting ;\nBEGIN { return 1 2 }\n                 ~"},
	{"# !", "stdin:1:1-4: ERROR: invalid preprocessor directive\n# !\n~~~\nHINT: directives are written #include <file>, #include \"file\" or #define NAME value"},
	{"BEGIN <\n  @x = 1\n  @y = 2 >", "stdin:3:3-5: ERROR: syntax error, unexpected map, expecting ;\n  @y = 2 >\n  ~~"},
	{"BEGIN < if (1) < @x = 1 >>", "stdin:1:25-27: ERROR: syntax error, unexpected end of file\nBEGIN < if (1) < @x = 1 >>\n                        ~~\nHINT: here '>>' is the shift operator: write '> >' to close two blocks"},
	{"BEGIN < @x = 1; >>", "stdin:1:18-19: ERROR: syntax error, unexpected >\nBEGIN < @x = 1; >>\n                 ~"},
	{"BEGIN { @x = 1 @y = 2 }", "stdin:1:16-18: ERROR: syntax error, unexpected map, expecting ;\nBEGIN { @x = 1 @y = 2 }\n               ~~"},
	{"BEGIN { @x = }", "stdin:1:14-15: ERROR: syntax error, unexpected }\nBEGIN { @x = }\n             ~"},
	{"BEGIN", "stdin:1:1-6: ERROR: syntax error, unexpected end of file, expecting {\nBEGIN\n~~~~~"},
	{"BEGIN {", "stdin:1:7-8: ERROR: syntax error, unexpected end of file, expecting }\nBEGIN {\n      ~\nHINT: a block is not closed"},
	{"BEGIN { if (1) }", "stdin:1:16-17: ERROR: syntax error, unexpected }, expecting {\nBEGIN { if (1) }\n               ~"},
	{"BEGIN { @x[1 = 2; }", "stdin:1:14-15: ERROR: syntax error, unexpected =, expecting ]\nBEGIN { @x[1 = 2; }\n             ~"},
	{"BEGIN { printf(\"x\") }}", "stdin:1:22-23: ERROR: syntax error, unexpected }\nBEGIN { printf(\"x\") }}\n                     ~"},
	{"kprobe:f /pid {}", "stdin:1:15-16: ERROR: syntax error, unexpected {, expecting /\nkprobe:f /pid {}\n              ~\nHINT: a predicate is written /condition/ before the probe's block"},
	{"BEGIN { \"abc }", "stdin:1:9-15: ERROR: unterminated string\nBEGIN { \"abc }\n        ~~~~~~"},
	{"BEGIN { $x = 0x; }", "stdin:1:14-16: ERROR: invalid integer literal '0x'\nBEGIN { $x = 0x; }\n             ~~"},
	{"BEGIN { $x = 99999999999999999999; }", "stdin:1:14-34: ERROR: overflow error, maximum value is 18446744073709551615: 99999999999999999999\nBEGIN { $x = 99999999999999999999; }\n             ~~~~~~~~~~~~~~~~~~~~\nHINT: integers are at most 64 bits: 0 to 18446744073709551615 unsigned, -9223372036854775808 to 9223372036854775807 signed"},
	{"BEGIN { $x = 0x1_0000_0000u; }", "stdin:1:14-28: ERROR: overflow error, maximum value is 4294967295: 0x1_0000_0000u\nBEGIN { $x = 0x1_0000_0000u; }\n             ~~~~~~~~~~~~~~\nHINT: drop the suffix, which limits the literal to its C type"},
	{"BEGIN { $x = 9223372036854775808ll; }", "stdin:1:14-35: ERROR: overflow error, maximum value is 9223372036854775807: 9223372036854775808ll\nBEGIN { $x = 9223372036854775808ll; }\n             ~~~~~~~~~~~~~~~~~~~~~\nHINT: drop the suffix, which limits the literal to its C type"},
	{"BEGIN { $x = 214749d; }", "stdin:1:14-21: ERROR: overflow error, maximum value is 18446744073709551615: 214749d\nBEGIN { $x = 214749d; }\n             ~~~~~~~\nHINT: integers are at most 64 bits: 0 to 18446744073709551615 unsigned, -9223372036854775808 to 9223372036854775807 signed"},
	{"BEGIN { printf(\"\\q\"); }", "stdin:1:17-19: ERROR: invalid escape character '\\q'\nBEGIN { printf(\"\\q\"); }\n                ~~"},
	{"BEGIN { $ }", "stdin:1:9-10: ERROR: invalid character '$'\nBEGIN { $ }\n        ~\nHINT: variables are written $name, positional parameters $1, $2, ... and $#"},
	{"foo { }", "stdin:1:1-4: ERROR: invalid attach point \"foo\": expected provider:target\nfoo { }\n~~~\nHINT: write provider:target, e.g. tracepoint:syscalls:sys_enter_openat, or BEGIN / END"},
	{"BEGIN { /* unterminated", "stdin:1:9-11: ERROR: end of file during comment\nBEGIN { /* unterminated\n        ~~"},
	{"BEGIN { @x = (1, a=2) }", "stdin:1:18-21: ERROR: a record's fields must all be named, and a tuple's must not be\nBEGIN { @x = (1, a=2) }\n                 ~~~"},
	{"BEGIN { € }", "stdin:1:9-10: ERROR: invalid character '\\xe2'\nBEGIN { € }\n        ~"},
	{"BEGIN { for ($i in 0..10) {} }", "stdin:1:17-19: ERROR: syntax error, unexpected identifier, expecting :\nBEGIN { for ($i in 0..10) {} }\n                ~~"},
	{"BEGIN { $x = (uint8[0])1 }", "stdin:1:15-23: ERROR: invalid array length 0\nBEGIN { $x = (uint8[0])1 }\n              ~~~~~~~~"},
	{"BEGIN { $0 }", "stdin:1:9-11: ERROR: invalid positional parameter $0\nBEGIN { $0 }\n        ~~\nHINT: positional parameters are numbered from $1"},
	{"BEGIN {\n  @x = ;\n}", "stdin:2:8-9: ERROR: syntax error, unexpected ;\n  @x = ;\n       ~"},
	{"BEGIN {\n\t@x = ;\n}", "stdin:2:7-8: ERROR: syntax error, unexpected ;\n\t@x = ;\n\t     ~"},
	{"BEGIN < @x = $a >\n  1; >", "stdin:2:3-4: ERROR: syntax error, unexpected integer\n  1; >\n  ~\nHINT: a '>' at the end of a line closes a < > block; put a comparison that spans lines in parentheses"},
	{"BEGIN { @x = 1; } }", "stdin:1:19-20: ERROR: syntax error, unexpected }\nBEGIN { @x = 1; } }\n                  ~"},
	{"BEGIN { f(1,) }", "stdin:1:13-14: ERROR: syntax error, unexpected )\nBEGIN { f(1,) }\n            ~"},
	{"BEGIN { $x = 1 +; }", "stdin:1:17-18: ERROR: syntax error, unexpected ;\nBEGIN { $x = 1 +; }\n                ~"},
	{"config = { x = }", "stdin:1:16-17: ERROR: syntax error, unexpected }\nconfig = { x = }\n               ~"},
	{"BEGIN { let $x: = 1; }", "stdin:1:17-18: ERROR: syntax error, unexpected =\nBEGIN { let $x: = 1; }\n                ~"},
	{"BEGIN { else {} }", "stdin:1:9-13: ERROR: syntax error, unexpected else, expecting }\nBEGIN { else {} }\n        ~~~~"},
	{"kprobe:f / pid { }", "stdin:1:16-17: ERROR: syntax error, unexpected {, expecting /\nkprobe:f / pid { }\n               ~\nHINT: a predicate is written /condition/ before the probe's block"},
	{"BEGIN { @x = 5q; }", "stdin:1:14-16: ERROR: invalid integer literal '5q'\nBEGIN { @x = 5q; }\n             ~~"},
	{"BEGIN { x = 1 }", "stdin:1:11-12: ERROR: syntax error, unexpected =\nBEGIN { x = 1 }\n          ~\nHINT: only variables ($x) and maps (@m, @m[key]) can be assigned"},
	{"struct X { int a; ", "stdin:1:1-7: ERROR: unterminated C definition\nstruct X { int a; \n~~~~~~\nHINT: a C definition ends with '};'"},
}

func TestErrors(t *testing.T) {
	for _, c := range errorCases {
		p, err := parser.Parse("stdin", c.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error\n%s", c.src, c.want)
			continue
		}
		if p != nil {
			t.Errorf("Parse(%q) returned a program with its error", c.src)
		}
		var d *lang.Diagnostics
		if !errors.As(err, &d) || d.File != "stdin" || d.Source != c.src || len(d.List) == 0 {
			t.Errorf("Parse(%q): error is not a filled *lang.Diagnostics: %#v", c.src, err)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("Parse(%q):\ngot:\n%s\nwant:\n%s", c.src, got, c.want)
		}
	}
}

func TestHugeExponentIsQuick(t *testing.T) {
	if _, err := parser.Parse("stdin", "BEGIN { @x = 0e99999999999; @y = 1e3 }"); err != nil {
		t.Fatal(err)
	}
	if _, err := parser.Parse("stdin", "BEGIN { @y = 1e21 }"); err == nil {
		t.Fatal("1e21 accepted")
	}
}

func TestDeepInputIsRejectedNotCrashing(t *testing.T) {
	for _, src := range []string{
		"BEGIN { @x = " + strings.Repeat("-", 1_000_000) + "1 }",
		"BEGIN { @x = " + strings.Repeat("(", 100_000) + "1 }",
		"BEGIN { @x = " + strings.Repeat("(uint8)", 100_000) + "1 }",
		"BEGIN " + strings.Repeat("{ ", 100_000),
		"BEGIN { @x = " + strings.Repeat("@m[", 100_000) + "1 }",
		"BEGIN { @x = " + strings.Repeat("1 ? 1 : ", 100_000) + "1 }",
		"BEGIN { if (1) {} " + strings.Repeat("else if (1) {} ", 100_000) + "}",
	} {
		if _, err := parser.Parse("stdin", src); err == nil {
			t.Errorf("deep input of %d bytes accepted", len(src))
		}
	}
	// Reasonable nesting still parses.
	src := "BEGIN { @x = " + strings.Repeat("(", 100) + "-1" + strings.Repeat(")", 100) + " }"
	if _, err := parser.Parse("stdin", src); err != nil {
		t.Error(err)
	}
}
