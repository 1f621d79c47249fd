package output

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
)

// JSON output (-f json): one object per line, in bpftrace v0.26's shapes.
//
//	{"type": "attached_probes", "count": 1, "data": {"probes": 1}}
//	{"type": "printf", "data": "hello\n"}
//	{"type": "time", "data": "12:34:56\n"}
//	{"type": "value", "data": [1,"a"]}
//	{"type": "map", "data": {"@": {"bash": 3, "sshd": 7}}}
//	{"type": "map", "data": {"@x": 5}}
//	{"type": "stats", "data": {"@s": {"count": 2, "average": 6, "total": 12}}}
//	{"type": "stats", "data": {"@a": 6}}                  (avg maps)
//	{"type": "hist", "data": {"@h": [{"min": 2, "max": 3, "count": 1}]}}
//	{"type": "lost_events", "count": 3, "data": {"events": 3}}
//	{"type": "helper_error", "msg": "...", "helper": "...", "retcode": -14, "filename": "stdin", "line": 1, "col": 37}
//
// Spacing follows bpftrace: objects get ", " and ": ", arrays (tuples,
// arrays, histograms) get "," only. Map keys are the key's text with the
// tuple parentheses and every space removed ("@[comm, 2]" is "bash,2");
// integers that a double cannot hold exactly are written as strings.
// Unlike text output, no blank lines precede the maps at exit.

// JSONString quotes s as bpftrace does: \" \\ \n \r \t, other control
// bytes as \u00XX, everything else (UTF-8 included) as is.
func JSONString(s string) string {
	var sb strings.Builder
	jsonString(&sb, s)
	return sb.String()
}

func jsonString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if c < 0x20 {
				fmt.Fprintf(sb, `\u%04x`, c)
			} else {
				sb.WriteByte(c)
			}
		}
	}
	sb.WriteByte('"')
}

func jsonInt(sb *strings.Builder, v int64) {
	s := strconv.FormatInt(v, 10)
	if int64(float64(v)) != v {
		jsonString(sb, s)
		return
	}
	sb.WriteString(s)
}

func jsonUint(sb *strings.Builder, v uint64) {
	s := strconv.FormatUint(v, 10)
	if f := float64(v); f >= 1<<64 || uint64(f) != v {
		jsonString(sb, s)
		return
	}
	sb.WriteString(s)
}

// writeJSON renders an item as a JSON value.
func (it item) writeJSON(sb *strings.Builder) {
	switch it.kind {
	case itemInt:
		jsonInt(sb, it.i)
	case itemUint, itemSymbol:
		if it.kind == itemSymbol && it.signed {
			jsonInt(sb, int64(it.u))
			return
		}
		jsonUint(sb, it.u)
	case itemString:
		jsonString(sb, it.s)
	case itemBool:
		if it.u != 0 {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case itemBuffer:
		sb.WriteByte('[')
		for n := 0; n < len(it.s); n++ {
			if n > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.Itoa(int(int8(it.s[n]))))
		}
		sb.WriteByte(']')
	case itemTuple, itemArray:
		if it.kind == itemTuple && it.names != nil {
			writeJSONObject(sb, it.names, it.elems)
			return
		}
		sb.WriteByte('[')
		for n, e := range it.elems {
			if n > 0 {
				sb.WriteByte(',')
			}
			e.writeJSON(sb)
		}
		sb.WriteByte(']')
	case itemStruct:
		writeJSONObject(sb, it.names, it.elems)
	case itemStack:
		// A stack is the list of its frames, as text.
		sb.WriteByte('[')
		for n, e := range it.elems {
			if n > 0 {
				sb.WriteByte(',')
			}
			jsonString(sb, strings.TrimPrefix(e.s, "\t"))
		}
		sb.WriteByte(']')
	}
}

func writeJSONObject(sb *strings.Builder, names []string, elems []item) {
	sb.WriteByte('{')
	for n, e := range elems {
		if n > 0 {
			sb.WriteString(", ")
		}
		jsonString(sb, names[n])
		sb.WriteString(": ")
		e.writeJSON(sb)
	}
	sb.WriteByte('}')
}

// jsonKey is a map key as JSON object key: its text without the tuple
// parentheses and without spaces (bpftrace strips both, even from strings).
func jsonKey(sb *strings.Builder, t *lang.Type, key []byte) {
	jsonString(sb, strings.ReplaceAll(keyText(t, key), " ", ""))
}

// writeJSONLine writes {"type": "T", "data": DATA}.
func writeJSONLine(w io.Writer, typ, data string) error {
	_, err := io.WriteString(w, `{"type": "`+typ+`", "data": `+data+"}\n")
	return err
}

// JSONPrintf writes a printf record's text.
func JSONPrintf(w io.Writer, text string) error {
	return writeJSONLine(w, "printf", JSONString(text))
}

// JSONTime writes time()'s text.
func JSONTime(w io.Writer, text string) error {
	return writeJSONLine(w, "time", JSONString(text))
}

// JSONCat writes cat()'s text.
func JSONCat(w io.Writer, text string) error {
	return writeJSONLine(w, "cat", JSONString(text))
}

// JSONJoin writes join()'s text (without its newline).
func JSONJoin(w io.Writer, text string) error {
	return writeJSONLine(w, "join", JSONString(text))
}

// JSONValue writes print(value).
func JSONValue(w io.Writer, t *lang.Type, b []byte) error {
	var sb strings.Builder
	decode(t, b).writeJSON(&sb)
	return writeJSONLine(w, "value", sb.String())
}

// JSONAttached writes the attached-probes line.
func JSONAttached(w io.Writer, n int) error {
	_, err := fmt.Fprintf(w, `{"type": "attached_probes", "count": %d, "data": {"probes": %d}}`+"\n", n, n)
	return err
}

// JSONLostEvents writes the lost-events line.
func JSONLostEvents(w io.Writer, n uint64) error {
	_, err := fmt.Fprintf(w, `{"type": "lost_events", "count": %d, "data": {"events": %d}}`+"\n", n, n)
	return err
}

// JSONHelperError writes a helper error reported with -k.
func JSONHelperError(w io.Writer, msg, helper string, retcode int64, file string, line, col int) error {
	var sb strings.Builder
	sb.WriteString(`{"type": "helper_error", "msg": `)
	jsonString(&sb, msg)
	sb.WriteString(`, "helper": `)
	jsonString(&sb, helper)
	fmt.Fprintf(&sb, `, "retcode": %d, "filename": `, retcode)
	jsonString(&sb, file)
	fmt.Fprintf(&sb, `, "line": %d, "col": %d}`+"\n", line, col)
	_, err := io.WriteString(w, sb.String())
	return err
}

// JSONMap prints one map as print(@m[, top[, div]]) does in JSON mode.
func JSONMap(w io.Writer, m *codegen.Map, entries []Entry, top, div int64) error {
	var sb strings.Builder
	typ := "map"
	d := uint64(max(div, 1))
	v := valueType(m)
	switch v.Kind {
	case lang.KHist, lang.KLhist:
		typ = "hist"
		xs := sortedHistEntries(m, entries)
		xs = xs[skipCount(len(xs), top):]
		if m.Key == nil {
			if len(xs) == 0 {
				sb.WriteString("[]")
			} else {
				buildHistogram(v, xs[0].buckets, d).writeJSON(&sb)
			}
			break
		}
		sb.WriteByte('{')
		for n, x := range xs {
			if n > 0 {
				sb.WriteString(", ")
			}
			jsonKey(&sb, m.Key, x.key)
			sb.WriteString(": ")
			buildHistogram(v, x.buckets, d).writeJSON(&sb)
		}
		sb.WriteByte('}')
	default:
		if v.Kind == lang.KAvg || v.Kind == lang.KStats {
			typ = "stats"
		}
		xs := sortedValueEntries(m, entries)
		xs = xs[skipCount(len(xs), top):]
		if m.Key == nil {
			if len(xs) == 0 {
				return nil
			}
			aggregateJSON(&sb, v, xs[0].values, d)
			break
		}
		sb.WriteByte('{')
		for n, x := range xs {
			if n > 0 {
				sb.WriteString(", ")
			}
			jsonKey(&sb, m.Key, x.key)
			sb.WriteString(": ")
			aggregateJSON(&sb, v, x.values, d)
		}
		sb.WriteByte('}')
	}
	return writeJSONLine(w, typ, "{"+JSONString(m.ScriptName)+": "+sb.String()+"}")
}

// aggregateJSON is aggregateText's JSON twin.
func aggregateJSON(sb *strings.Builder, v *lang.Type, values [][]byte, div uint64) {
	var first []byte
	if len(values) > 0 {
		first = values[0]
	}
	switch v.Kind {
	case lang.KCount:
		jsonUint(sb, sumU64(values)/div)
	case lang.KSum:
		number(divide(sumU64(values), v.Signed, div), v.Signed).writeJSON(sb)
	case lang.KMin, lang.KMax:
		number(divide(minMax(values, v.Kind == lang.KMax, v.Signed), v.Signed, div), v.Signed).writeJSON(sb)
	case lang.KAvg:
		number(divide(foldStats(values, v.Signed).avg, v.Signed, div), v.Signed).writeJSON(sb)
	case lang.KStats:
		s := foldStats(values, v.Signed)
		sb.WriteString(`{"count": `)
		number(s.count, v.Signed).writeJSON(sb)
		sb.WriteString(`, "average": `)
		number(divide(s.avg, v.Signed, div), v.Signed).writeJSON(sb)
		sb.WriteString(`, "total": `)
		number(s.total, v.Signed).writeJSON(sb)
		sb.WriteByte('}')
	case lang.KInt:
		plainInt(v, first, div).writeJSON(sb)
	default:
		decode(v, first).writeJSON(sb)
	}
}

// writeJSON renders a histogram as bpftrace's list of closed buckets: each
// {"min": a, "max": b, "count": n}, where max is one less than the next
// bucket's start; the first bucket of values below the range has no min
// and the last open-ended one no max.
func (h histogram) writeJSON(sb *strings.Builder) {
	sb.WriteByte('[')
	for i, c := range h.counts {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('{')
		switch {
		case i == 0 && h.lower != nil:
			sb.WriteString(`"min": `)
			h.lower.writeJSON(sb)
			sb.WriteString(", ")
		case i > 0:
			sb.WriteString(`"min": `)
			h.labels[i-1].writeJSON(sb)
			sb.WriteString(", ")
		}
		if i < len(h.labels) {
			sb.WriteString(`"max": `)
			oneLess(h.labels[i]).writeJSON(sb)
			sb.WriteString(", ")
		}
		sb.WriteString(`"count": ` + strconv.FormatUint(c, 10) + "}")
	}
	sb.WriteByte(']')
}

// oneLess is the last value of the bucket that label closes.
func oneLess(it item) item {
	switch it.kind {
	case itemInt:
		return intItem(it.i - 1)
	case itemUint, itemSymbol:
		if it.u == 0 {
			return intItem(-1)
		}
		return intItem(int64(it.u - 1))
	}
	return it
}

// JSONExitMaps prints every map at exit in JSON: the same order as
// ExitMaps (bytewise by name), one line each, no blank lines first.
func JSONExitMaps(w io.Writer, maps []*codegen.Map, read func(*codegen.Map) ([]Entry, error)) error {
	ordered := append([]*codegen.Map(nil), maps...)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].ScriptName < ordered[j].ScriptName })
	var firstErr error
	for _, m := range ordered {
		entries, err := read(m)
		if err == nil && len(entries) == 0 {
			continue
		}
		if err == nil {
			err = JSONMap(w, m, entries, 0, 0)
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// JSONSyscall writes what a system() command printed (bpftrace names the
// line "syscall").
func JSONSyscall(w io.Writer, text string) error {
	return writeJSONLine(w, "syscall", JSONString(text))
}

// JSONPrintError writes errorf()'s message with where the call is.
func JSONPrintError(w io.Writer, msg, file string, line, col int) error {
	return jsonPositioned(w, "print_error", msg, file, line, col)
}
