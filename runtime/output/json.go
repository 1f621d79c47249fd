package output

import (
	"fmt"
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
	case itemNull:
		sb.WriteString("null")
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
func (f *Formatter) jsonKey(sb *strings.Builder, t *lang.Type, key []byte) {
	jsonString(sb, strings.ReplaceAll(f.keyText(t, key), " ", ""))
}

// mapJSON is one map as print(@m[, top[, div]]) shows it in JSON: the
// line's type ("map", "stats" or "hist") and its data; ok is false for a
// map without keys and without its value, which prints nothing.
func (f *Formatter) mapJSON(m *codegen.Map, entries *Entries, top, div int64) (typ, data string, ok bool) {
	var sb strings.Builder
	typ = "map"
	d := uint64(max(div, 1))
	v := valueType(m)
	switch v.Kind {
	case lang.KTseries:
		typ = "tseries"
		f.tseriesMapJSON(&sb, m, entries)
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
			f.jsonKey(&sb, m.Key, x.key)
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
				return "", "", false
			}
			f.aggregateJSON(&sb, v, xs[0].values, d)
			break
		}
		sb.WriteByte('{')
		for n, x := range xs {
			if n > 0 {
				sb.WriteString(", ")
			}
			f.jsonKey(&sb, m.Key, x.key)
			sb.WriteString(": ")
			f.aggregateJSON(&sb, v, x.values, d)
		}
		sb.WriteByte('}')
	}
	return typ, "{" + JSONString(m.ScriptName) + ": " + sb.String() + "}", true
}

// aggregateJSON is aggregateText's JSON twin.
func (f *Formatter) aggregateJSON(sb *strings.Builder, v *lang.Type, values Values, div uint64) {
	first := values.First()
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
		f.decode(v, first).writeJSON(sb)
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
