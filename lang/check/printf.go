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
	// Verb is the conversion: d i u o x X c s p, or r rx rh for buffers.
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
		for _, l := range []string{"hh", "ll", "h", "l", "j", "z", "t"} {
			if strings.HasPrefix(f[i:], l) {
				i += len(l)
				break
			}
		}
		if i >= len(f) {
			return nil, "Invalid format string: '" + f[start:] + "' is not a complete conversion"
		}
		verb := string(f[i])
		switch f[i] {
		case 'd', 'i', 'u', 'o', 'x', 'X', 'c', 's', 'p':
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
	if len(args) < len(specs) {
		c.errorf(call.Span, "%s: Not enough arguments for format string (%d supplied, %d expected)", call.Name, len(args), len(specs))
		return
	}
	if len(args) > len(specs) {
		c.errorf(call.Span, "%s: Too many arguments for format string (%d supplied, %d expected)", call.Name, len(args), len(specs))
		return
	}
	for i, s := range specs {
		t := types[i+1]
		if !known(t) {
			continue
		}
		if want := formatAccepts(s.Verb, t); want != "" {
			c.errorf(call.Span, "%s: %s specifier expects a value of type %s (%s supplied)", call.Name, s.Text, want, kindName(t))
			if s.Verb == "s" && t.Kind == lang.KPtr {
				c.hintf("read a string from memory with str()")
			}
		}
	}
}

// formatAccepts returns "" when verb can print t, else the kind it wants.
func formatAccepts(verb string, t *lang.Type) string {
	switch verb {
	case "s":
		switch t.Kind {
		case lang.KString, lang.KSym, lang.KInet, lang.KTimestamp, lang.KCgroupPath, lang.KMacaddr, lang.KStack, lang.KBuffer, lang.KStrerror, lang.KUsername, lang.KSyscallName, lang.KSignalName:
			return ""
		case lang.KInt:
			if t.Enum != nil {
				// An enum prints its enumerator's name.
				return ""
			}
		}
		return "string"
	case "r", "rx", "rh":
		if t.Kind == lang.KBuffer || t.Kind == lang.KString {
			return ""
		}
		return "buffer"
	case "p":
		if t.Kind == lang.KPtr || t.IsInt() {
			return ""
		}
		return "pointer"
	}
	if t.IsInt() || t.Kind == lang.KPtr {
		return ""
	}
	return "integer"
}
