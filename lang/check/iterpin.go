package check

import (
	"fmt"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// A pinned iterator (iter:NAME:PIN) runs whenever its file is read, long
// after gobpftrace has exited: what its printf() writes goes into the file
// read (the kernel's bpf_seq_printf formats it), and nothing that needs
// gobpftrace to print it can work there.

// pinnedIter reports whether the probe being checked is a pinned
// iterator.
func (c *checker) pinnedIter() bool {
	for _, r := range c.attach {
		if r.Provider == probetype.Iter && r.Pin != "" {
			return true
		}
	}
	return false
}

// printedByUs are the calls whose output gobpftrace prints (they send an
// event through the ring buffer, or act on a map from user space).
var printedByUs = map[string]bool{
	"print": true, "time": true, "cat": true, "system": true, "join": true,
	"errorf": true, "warnf": true, "assert": true, "exit": true,
	"clear": true, "zero": true,
}

// pinnedAllows refuses in a pinned iterator the calls that gobpftrace, no
// longer running when the file is read, would have to print or carry out.
func (c *checker) pinnedAllows(call *lang.Call) bool {
	if !printedByUs[call.Name] || !c.pinnedIter() {
		return true
	}
	c.exprs(call.Args)
	c.errorf(call.Span, "%s() can not be used in a pinned iter probe", call.Name)
	c.hintf("the pinned file runs the iterator when it is read, without gobpftrace; printf() writes into it")
	return false
}

// maxSeqPrintfArgs is the kernel's MAX_BPRINTF_VARARGS.
const maxSeqPrintfArgs = 12

// SeqConv is how the value of one printf argument is passed to the
// kernel's bpf_seq_printf, which reads each as 64 bits.
type SeqConv struct {
	// String: the argument is a string, passed as the address of a
	// NUL-terminated copy.
	String bool
	// Bits and Signed: an integer is cut to Bits as the conversion's
	// length modifier says (32 without one, as bpftrace's printf does),
	// then extended to 64 bits, with its sign for %d and %i.
	Bits   int
	Signed bool
}

// seqSyntax is what bpf_seq_printf reads between '%' and the letter:
// flags, a width, a length modifier (no precision: a '.' ends the scan and
// is refused with its own message).
var seqSyntax = lang.KernelFormatSyntax{Flags: []string{"-+ 0", "0123456789"}, Length: "hlLjzt"}

// SeqPrintfFormat rewrites a printf format for bpf_seq_printf: the
// integer conversions read 64 bits (%d becomes %lld); it returns the
// kernel's format and how to pass each argument, or a message when the
// kernel cannot format it. types are the arguments' types.
func SeqPrintfFormat(format string, types []*lang.Type) (string, []SeqConv, string) {
	for i := 0; i < len(format); i++ {
		// The kernel refuses any other byte in a format.
		if b := format[i]; b >= 0x7f || (b < ' ' && !strings.ContainsRune("\t\n\v\f\r", rune(b))) {
			return "", nil, fmt.Sprintf("the kernel's bpf_seq_printf formats only printable ASCII text (byte 0x%02x at %d)", b, i)
		}
	}
	var b strings.Builder
	var convs []SeqConv
	for _, p := range lang.ScanKernelFormat(format, seqSyntax) {
		if !p.Conv {
			b.WriteString(p.Text)
			continue
		}
		field := "%" + p.Flags
		if p.Verb == '.' && p.Length == "" {
			end := p.End
			for end < len(format) && strings.IndexByte("0123456789hlLjzt", format[end]) >= 0 {
				end++
			}
			end = min(end+1, len(format))
			return "", nil, fmt.Sprintf("'%s' has a precision, which the kernel's bpf_seq_printf does not take", format[p.Start:end])
		}
		if p.Verb == 0 {
			return "", nil, "the format ends inside a conversion"
		}
		verb := p.Verb
		n := len(convs)
		if n >= len(types) {
			return "", nil, fmt.Sprintf("the format has more conversions than the %d arguments", len(types))
		}
		t := types[n]
		switch {
		case strings.IndexByte("diuxX", verb) >= 0:
			if !t.IsInt() && t.Kind != lang.KPtr {
				return "", nil, fmt.Sprintf("%%%c prints an integer or a pointer here (%s provided)", verb, t)
			}
			convs = append(convs, SeqConv{Bits: lang.LengthModifierBits(p.Length), Signed: verb == 'd' || verb == 'i'})
			b.WriteString(field + "ll" + string(verb))
		case verb == 'c':
			if !t.IsInt() {
				return "", nil, fmt.Sprintf("%%c prints an integer here (%s provided)", t)
			}
			convs = append(convs, SeqConv{Bits: 8})
			b.WriteString(field + "c")
		case verb == 's':
			if t.Kind != lang.KString {
				return "", nil, fmt.Sprintf("%%s prints a string here (%s provided)", t)
			}
			convs = append(convs, SeqConv{String: true})
			b.WriteString(field + "s")
		default:
			return "", nil, fmt.Sprintf("'%s' is not a conversion the kernel's bpf_seq_printf formats (flags - + 0 and space, a width, then d i u x X c or s)", format[p.Start:p.End])
		}
	}
	if len(convs) != len(types) {
		return "", nil, fmt.Sprintf("the format has %d conversions for %d arguments", len(convs), len(types))
	}
	return b.String(), convs, ""
}

// seqPrintf checks printf() in a pinned iterator, formatted by the
// kernel: its conversions and the number of its arguments.
func (c *checker) seqPrintf(call *lang.Call, format string, types []*lang.Type) {
	for _, t := range types {
		if !known(t) {
			return
		}
	}
	if len(types) > maxSeqPrintfArgs {
		c.errorf(call.Span, "printf() in a pinned iter probe takes at most %d arguments after the format (%d provided)", maxSeqPrintfArgs, len(types))
		c.hintf("the kernel's bpf_seq_printf formats at most %d values; split the line into several printf() calls", maxSeqPrintfArgs)
		return
	}
	if _, _, msg := SeqPrintfFormat(format, types); msg != "" {
		c.errorf(call.Span, "printf() in a pinned iter probe: %s", msg)
		c.hintf("the kernel formats what a pinned iterator prints: integers with %%d %%i %%u %%x %%X %%c (a pointer as 0x%%lx), strings with %%s, with flags and a width but no precision")
	}
}
