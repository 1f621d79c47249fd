package check

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// FormatSpec is one conversion of a printf format string.
type FormatSpec struct {
	// Text is the whole conversion as written, e.g. "%-6lld".
	Text string
	// Verb is the conversion: d i u o x X c s p, r rx rh for buffers, or
	// one bpftrace parses and refuses (e E f F g G a A n).
	Verb string
}

// ParseFormat splits a printf format string into its conversions,
// following bpftrace (C flags, width, precision and length modifiers;
// %r, %rx, %rh for buffers). It returns a message for an invalid format.
func ParseFormat(f string) ([]FormatSpec, string) {
	var out []FormatSpec
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		start := i
		i++
		if i < len(f) && f[i] == '%' {
			continue
		}
		for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
			i++
		}
		if i < len(f) && f[i] == '*' {
			return nil, "'*' width is not supported"
		}
		digits := i
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		if msg := boundedField("width", f[start:], f[digits:i]); msg != "" {
			return nil, msg
		}
		if i < len(f) && f[i] == '.' {
			i++
			if i < len(f) && f[i] == '*' {
				return nil, "'*' precision is not supported"
			}
			digits = i
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				i++
			}
			if msg := boundedField("precision", f[start:], f[digits:i]); msg != "" {
				return nil, msg
			}
		}
		// Any run of length modifiers, as bpftrace's format regex reads
		// them ([hlLjzt]*); the runtime applies hh, h, l, ll, j, z, t.
		for i < len(f) && strings.IndexByte("hlLjzt", f[i]) >= 0 {
			i++
		}
		if i >= len(f) {
			return nil, "Invalid format string: '" + f[start:] + "' is not a complete conversion"
		}
		verb := string(f[i])
		switch f[i] {
		case '%':
			continue // "%5%" is a '%', as bpftrace reads it
		case 'd', 'i', 'u', 'o', 'x', 'X', 'c', 's', 'p', 'e', 'E', 'f', 'F', 'g', 'G', 'a', 'A', 'n':
		case 'r':
			if i+1 < len(f) && (f[i+1] == 'x' || f[i+1] == 'h') {
				i++
				verb += string(f[i])
			}
		default:
			return nil, "Invalid format specifier: '" + f[start:i+1] + "'"
		}
		out = append(out, FormatSpec{Text: f[start : i+1], Verb: verb})
	}
	return out, ""
}

// MaxFormatWidth bounds the width and the precision of a conversion: a
// width pads one value to that many bytes, and %2000000000s once wrote
// 2 GB for one event. Wider than any terminal or log line needs.
const MaxFormatWidth = 65536

// boundedField checks a width or precision (its digits) against
// MaxFormatWidth; conv is the format from the conversion's '%' on.
func boundedField(what, conv, digits string) string {
	if digits == "" {
		return ""
	}
	n := 0
	for _, d := range digits {
		n = n*10 + int(d-'0')
		if n > MaxFormatWidth {
			end := strings.IndexAny(conv[1:], "diouxXcspr%")
			if end < 0 {
				end = len(conv) - 1
			}
			return fmt.Sprintf("the %s %s of '%s' is larger than %d, the most a conversion may have", what, digits, conv[:end+2], MaxFormatWidth)
		}
	}
	return ""
}

func (c *checker) printf(call *lang.Call) {
	types := make([]*lang.Type, len(call.Args))
	for i, a := range call.Args {
		types[i] = c.expr(a)
	}
	lit, ok := call.Args[0].(*lang.StrLit)
	if !ok {
		c.errorf(call.Span, "%s() expects a string literal (%s provided)", call.Name, kindName(types[0]))
		return
	}
	specs, msg := ParseFormat(lit.Value)
	if msg != "" {
		c.errorf(call.Span, "%s: %s", call.Name, msg)
		return
	}
	args := call.Args[1:]
	// bpftrace v0.26's words (FormatString::check).
	if len(args) < len(specs) {
		c.errorf(call.Span, "not enough arguments for format string (%d supplied, %d expected)", len(args), len(specs))
		return
	}
	if len(args) > len(specs) {
		c.errorf(call.Span, "too many arguments for format string (%d supplied, %d expected)", len(args), len(specs))
		return
	}
	if call.Name == "printf" && c.pinnedIter() {
		before := len(c.errs)
		defer func() {
			if len(c.errs) == before {
				c.seqPrintf(call, lit.Value, types[1:])
			}
		}()
	}
	for i, s := range specs {
		t := types[i+1]
		if !known(t) {
			continue
		}
		if t.Kind == lang.KVoid {
			c.errorf(call.Span, "unable to print none type for specifier: %s", s.Verb)
			continue
		}
		switch s.Verb {
		case "e", "E", "f", "F", "g", "G", "a", "A", "n":
			c.errorf(call.Span, "unsupported format specifier: %s", s.Verb)
			if s.Verb != "n" {
				c.hintf("bpftrace has no floating-point values: print integers with %%d (a ratio with %%d.%%03d of two integers)")
			}
			continue
		}
		if !formatAccepts(s.Verb, t) {
			c.errorf(call.Span, "unsupported format specifier for type '%s': %s", t, s.Verb)
			if s.Verb == "r" || s.Verb == "rx" || s.Verb == "rh" {
				c.hintf("%%%s prints a buf() value; print strings with %%s", s.Verb)
			}
		}
	}
}

// formatAccepts reports whether verb can print a value of type t, as
// bpftrace v0.26 checks it: %s prints any value (as print() shows it), the
// buffer conversions a buf() value, the others an integer, a bool or a
// pointer.
func formatAccepts(verb string, t *lang.Type) bool {
	switch verb {
	case "s":
		return true
	case "r", "rx", "rh":
		return t.Kind == lang.KBuffer
	}
	return t.IsInt() || t.Kind == lang.KPtr
}
