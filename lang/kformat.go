package lang

import "strings"

// Kernel printf formats. Two helpers format text in the kernel from a
// format the script gives: bpf_trace_printk (debugf()) and bpf_seq_printf
// (printf() in a pinned iterator). Both rewrite the format's conversions
// and check them against what the kernel accepts; they read the format
// with one scanner, each with its own syntax (KernelFormatSyntax).

// KernelFormatSyntax says which bytes may come between a conversion's '%'
// and its letter.
type KernelFormatSyntax struct {
	// Flags are sets of bytes read one set after the other: flags, then
	// width digits, say. A byte of a later set ends the earlier one.
	Flags []string
	// Length is the set of length-modifier bytes, read after the flags.
	Length string
}

// FormatPiece is a run of text, or one conversion, of a format.
type FormatPiece struct {
	// Text is the run of text as written, "%%" included (the kernel reads
	// it as one '%'); empty for a conversion.
	Text string
	// Conv marks a conversion: format[Start:End] is all of it, from its
	// '%' to its letter.
	Conv       bool
	Start, End int
	// Flags is what the syntax's flag sets read after the '%' (flags,
	// width...), Length the length modifier after them.
	Flags, Length string
	// Verb is the conversion's letter: the byte after the length
	// modifier, whatever it is; 0 when the format ends first.
	Verb byte
}

// ScanKernelFormat splits format into runs of text and conversions.
func ScanKernelFormat(format string, syn KernelFormatSyntax) []FormatPiece {
	var pieces []FormatPiece
	text := 0 // where the current run of text began
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			i++ // "%%" is text
			continue
		}
		if text < i {
			pieces = append(pieces, FormatPiece{Text: format[text:i]})
		}
		j := i + 1
		for _, set := range syn.Flags {
			for j < len(format) && strings.IndexByte(set, format[j]) >= 0 {
				j++
			}
		}
		flagsEnd := j
		for j < len(format) && strings.IndexByte(syn.Length, format[j]) >= 0 {
			j++
		}
		p := FormatPiece{Conv: true, Start: i, End: j, Flags: format[i+1 : flagsEnd], Length: format[flagsEnd:j]}
		if j < len(format) {
			p.Verb = format[j]
			p.End = j + 1
		}
		pieces = append(pieces, p)
		i = p.End - 1
		text = p.End
	}
	if text < len(format) {
		pieces = append(pieces, FormatPiece{Text: format[text:]})
	}
	return pieces
}
