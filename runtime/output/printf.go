package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// bpftrace v0.26 formats printf with C++ streams, not C's printf, which
// changes a few things compared with v0.17 (which used snprintf):
//   - an integer is converted to the C type the length modifier names
//     before it is printed, as with C's printf: none (or one v0.26 does
//     not know, such as L or lll) is an int or unsigned int of 32 bits,
//     hh and h 8 and 16 bits, l ll j z t 64 bits. So "%d" of 0x1ffffffff
//     is -1, "%u" of -1 is 4294967295, "%x" of (int8)-1 is ffffffff.
//   - a precision (".3") is ignored for integers and strings
//     (v0.17: "%.3d" gave "007", "%.2s" truncated).
//   - the ' ' flag is ignored; '+' only affects signed conversions.
//   - the 0 flag sets the fill of the width to '0' for any conversion,
//     before the sign or base prefix ("%05d" of -42 is "00-42"), after the
//     text with '-' ("%-05d" of 7 is "70000").
//   - %p prints 0x-prefixed hex, and "0" for a null pointer (v0.17: "(nil)").
//
// Format is the format string with escapes already decoded.

// spec is one parsed conversion: %[flags][width][.precision][length]conv.
type spec struct {
	left, plus, alt, zero bool
	width                 int
	length                string
	conv                  string // d i u o x X c s p r rx rh, or another letter
}

// parseSpec reads a conversion starting after '%'; it returns the spec and
// the number of bytes consumed, or ok=false when the text is no conversion.
func parseSpec(s string) (sp spec, n int, ok bool) {
	for n < len(s) {
		switch s[n] {
		case '-':
			sp.left = true
		case '+':
			sp.plus = true
		case ' ':
		case '#':
			sp.alt = true
		case '0':
			sp.zero = true
		default:
			goto width
		}
		n++
	}
width:
	start := n
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n > start {
		sp.width, _ = strconv.Atoi(s[start:n])
	}
	if n < len(s) && s[n] == '.' {
		n++
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
	}
	start = n
	for n < len(s) && strings.IndexByte("hlLjzt", s[n]) >= 0 {
		n++
	}
	sp.length = s[start:n]
	if n >= len(s) {
		return sp, n, false
	}
	c := s[n]
	if c == 'r' {
		n++
		sp.conv = "r"
		if n < len(s) && (s[n] == 'x' || s[n] == 'h') {
			sp.conv += string(s[n])
			n++
		}
		return sp, n, true
	}
	if strings.IndexByte("diouxXeEfFgGaAcspn%", c) < 0 {
		return sp, n, false
	}
	sp.conv = string(c)
	return sp, n + 1, true
}

// Sprintf formats a printf-style record (printf, cat, system, errorf,
// warnf; rec starts with the 8-byte event id header) using ev.Format and
// ev.Args.
func (f *Formatter) Sprintf(ev *codegen.Event, rec []byte) (string, error) {
	b, err := f.AppendPrintf(nil, ev, rec)
	return string(b), err
}

// printfFormat is a format string cut into literal text and conversions.
type printfFormat struct {
	pieces []printfPiece
	// convs is the number of conversions (arguments used).
	convs int
}

// printfPiece is literal text, or a conversion when isConv.
type printfPiece struct {
	text   string
	sp     spec
	isConv bool
}

func parsePrintf(format string) *printfFormat {
	pf := &printfFormat{}
	lit := func(s string) {
		if n := len(pf.pieces); n > 0 && !pf.pieces[n-1].isConv {
			pf.pieces[n-1].text += s
			return
		}
		pf.pieces = append(pf.pieces, printfPiece{text: s})
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			j := strings.IndexByte(format[i:], '%')
			if j < 0 {
				j = len(format) - i
			}
			lit(format[i : i+j])
			i += j - 1
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			lit("%")
			i++
			continue
		}
		sp, n, ok := parseSpec(format[i+1:])
		if !ok {
			lit("%")
			continue
		}
		if sp.conv == "%" {
			// "%5%" prints a '%' (flags and width ignored), as in bpftrace.
			lit("%")
			i += n
			continue
		}
		pf.pieces = append(pf.pieces, printfPiece{sp: sp, isConv: true})
		pf.convs++
		i += n
	}
	return pf
}

// format returns ev's parsed format, parsing it on first use.
func (f *Formatter) format(ev *codegen.Event) *printfFormat {
	if pf, ok := f.formats.Load(ev); ok {
		return pf.(*printfFormat)
	}
	pf, _ := f.formats.LoadOrStore(ev, parsePrintf(ev.Format))
	return pf.(*printfFormat)
}

// AppendPrintf is Sprintf appending to dst: with a dst of enough capacity,
// integers and strings are formatted without allocating, so that a run
// printing events allocates nothing per event (BenchmarkPrintfEvent).
func (f *Formatter) AppendPrintf(dst []byte, ev *codegen.Event, rec []byte) ([]byte, error) {
	arg := 0
	for _, p := range f.format(ev).pieces {
		if !p.isConv {
			dst = append(dst, p.text...)
			continue
		}
		if arg >= len(ev.Args) {
			return dst, fmt.Errorf("printf %q: not enough arguments (%d)", ev.Format, len(ev.Args))
		}
		a := ev.Args[arg]
		arg++
		if a.Offset > len(rec) {
			return dst, fmt.Errorf("printf %q: record of %d bytes too short for argument %d at %d", ev.Format, len(rec), arg, a.Offset)
		}
		dst = p.sp.appendArg(dst, f, a.Type, slice(rec, a.Offset, codegen.Sizeof(a.Type)))
	}
	return dst, nil
}

// appendArg appends one formatted argument: integers and strings directly,
// anything else through apply.
func (sp spec) appendArg(dst []byte, f *Formatter, t *lang.Type, b []byte) []byte {
	var tmp [24]byte
	switch {
	case (sp.conv == "d" || sp.conv == "i") && t.Kind == lang.KInt:
		v := signExtend(argBits(t, b), uint(lang.LengthModifierBits(sp.length)))
		num := tmp[:0]
		if sp.plus && v >= 0 {
			num = append(num, '+')
		}
		return sp.appendPadded(dst, strconv.AppendInt(num, v, 10), "", true)
	case (sp.conv == "u" || sp.conv == "x") && t.Kind == lang.KInt && !sp.alt:
		v := zeroExtend(argBits(t, b), uint(lang.LengthModifierBits(sp.length)))
		base := 10
		if sp.conv == "x" {
			base = 16
		}
		return sp.appendPadded(dst, strconv.AppendUint(tmp[:0], v, base), "", true)
	case sp.conv == "s" && t.Kind == lang.KString:
		str := slice(b, 0, t.Size)
		if n := bytesIndexNUL(str); n >= 0 {
			return sp.appendPadded(dst, str[:n], "", false)
		}
		if len(str) == t.Size && t.Size > 0 && !t.CharArray {
			// str() leaves a string it truncated without its NUL (see
			// truncatedString).
			return sp.appendPadded(dst, []byte(truncatedString(str, f.TruncTrailer)), "", false)
		}
		return sp.appendPadded(dst, str, "", false)
	}
	return append(dst, sp.apply(f, t, b)...)
}

func bytesIndexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

// appendPadded appends body and tail with the width applied as pad does.
func (sp spec) appendPadded(dst, body []byte, tail string, numeric bool) []byte {
	n := len(body) + len(tail)
	if n >= sp.width {
		return append(append(dst, body...), tail...)
	}
	fill := sp.width - n
	if sp.left {
		dst = append(append(dst, body...), tail...)
		return appendRepeat(dst, sp.fillChar(), fill)
	}
	dst = appendRepeat(dst, sp.fillChar(), fill)
	return append(append(dst, body...), tail...)
}

// fillChar is what a width pads with: '0' with the 0 flag, for every
// conversion, as v0.26's stream fill does.
func (sp spec) fillChar() byte {
	if sp.zero {
		return '0'
	}
	return ' '
}

func appendRepeat(dst []byte, c byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, c)
	}
	return dst
}

// apply formats one argument.
func (sp spec) apply(f *Formatter, t *lang.Type, b []byte) string {
	switch sp.conv {
	case "d", "i":
		return sp.pad(signedText(sp, t, b), true)
	case "u", "o", "x", "X":
		return sp.pad(unsignedText(sp, t, b), true)
	case "c":
		return sp.pad(string([]byte{byte(readUint(b, intSize(t)))}), false)
	case "s":
		if t.Kind == lang.KInt && t.Enum != nil {
			return sp.pad(enumText(t, b), false)
		}
	case "p":
		v := readUint(b, intSize(t))
		if v == 0 {
			return sp.pad("0", true)
		}
		return sp.pad("0x"+strconv.FormatUint(v, 16), true)
	case "r", "rx", "rh":
		if t.Kind != lang.KBuffer {
			return sp.pad(f.decode(t, b).text(), false)
		}
		data := []byte(f.decode(t, b).s)
		return sp.pad(bufferText(data, sp.conv), false)
	}
	return sp.pad(f.decode(t, b).text(), false)
}

func intSize(t *lang.Type) int {
	if t.IsInt() {
		return codegen.Sizeof(t)
	}
	return 8
}

// argBits reads an integer argument, sign-extended per its type.
func argBits(t *lang.Type, b []byte) uint64 {
	if t.Kind == lang.KInt && t.Signed {
		return uint64(readInt(b, t.Size))
	}
	return readUint(b, intSize(t))
}

// signExtend keeps the low bits of v as a signed number.
func signExtend(v uint64, bits uint) int64 {
	return int64(v<<(64-bits)) >> (64 - bits)
}

// zeroExtend keeps the low bits of v as an unsigned number.
func zeroExtend(v uint64, bits uint) uint64 {
	if bits == 64 {
		return v
	}
	return v & (1<<bits - 1)
}

func signedText(sp spec, t *lang.Type, b []byte) string {
	v := signExtend(argBits(t, b), uint(lang.LengthModifierBits(sp.length)))
	s := strconv.FormatInt(v, 10)
	if sp.plus && v >= 0 {
		s = "+" + s
	}
	return s
}

func unsignedText(sp spec, t *lang.Type, b []byte) string {
	v := zeroExtend(argBits(t, b), uint(lang.LengthModifierBits(sp.length)))
	switch sp.conv {
	case "o":
		s := strconv.FormatUint(v, 8)
		if sp.alt && v != 0 {
			s = "0" + s
		}
		return s
	case "x":
		s := strconv.FormatUint(v, 16)
		if sp.alt && v != 0 {
			s = "0x" + s
		}
		return s
	case "X":
		s := strings.ToUpper(strconv.FormatUint(v, 16))
		if sp.alt && v != 0 {
			s = "0X" + s
		}
		return s
	}
	return strconv.FormatUint(v, 10)
}

// pad applies the width as bpftrace v0.26's C++ streams do: the fill
// (spaces, or zeros with the 0 flag, whatever the conversion) goes before
// the whole text, sign and base prefix included ("%05d" of -42 is
// "00-42"), or after it with '-' ("%-05d" of 7 is "70000").
func (sp spec) pad(s string, _ bool) string {
	if len(s) >= sp.width {
		return s
	}
	fill := strings.Repeat(string(sp.fillChar()), sp.width-len(s))
	if sp.left {
		return s + fill
	}
	return fill + s
}

// bufferText renders buf() data: %r keeps printable ASCII and escapes the
// rest as \xNN, %rx escapes every byte, %rh prints space-separated hex.
func bufferText(data []byte, conv string) string {
	switch conv {
	case "rx":
		var sb strings.Builder
		for _, c := range data {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
		return sb.String()
	case "rh":
		parts := make([]string, len(data))
		for n, c := range data {
			parts[n] = fmt.Sprintf("%02x", c)
		}
		return strings.Join(parts, " ")
	}
	return hexFormatBuffer(data)
}

// enumText is an enum value's enumerator name, or the number when the
// enum has none for it.
func enumText(t *lang.Type, b []byte) string {
	v := int64(argBits(t, b))
	if name, ok := t.Enum.Values[v]; ok {
		return name
	}
	if t.Signed {
		return strconv.FormatInt(v, 10)
	}
	return strconv.FormatUint(uint64(v), 10)
}
