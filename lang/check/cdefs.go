package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// C definitions written in a script: struct, union and enum definitions
// and typedefs, laid out as a C compiler for x86-64 does. Member types may
// name kernel types (from BTF) as well as earlier script definitions.

// checkCDefs interprets the script's C definitions in order.
func (c *checker) checkCDefs() {
	c.ctypes = &cTypes{types: map[string]*lang.Type{}, enums: map[string]enumConst{}, deep: map[string]*lang.Type{}}
	for _, d := range c.prog.CDefs {
		if d == nil {
			continue
		}
		p := &cParser{c: c, span: d.Span, toks: cTokens(d.Text)}
		if err := p.definition(); err != nil {
			c.errorf(d.Span, "Invalid C definition: %v", err)
		}
	}
}

type cParser struct {
	c    *checker
	span lang.Span
	toks []string
	pos  int
}

// cTokens splits C text into identifiers, numbers and punctuation,
// dropping comments.
func cTokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
		case strings.HasPrefix(s[i:], "//"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += end + 4
			}
		case isIdentByte(ch):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			out = append(out, string(ch))
			i++
		}
	}
	return out
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (p *cParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *cParser) next() string {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func (p *cParser) accept(tok string) bool {
	if p.peek() == tok {
		p.pos++
		return true
	}
	return false
}

func (p *cParser) expect(tok string) error {
	if got := p.next(); got != tok {
		if got == "" {
			return fmt.Errorf("expected '%s' at the end", tok)
		}
		return fmt.Errorf("expected '%s', found '%s'", tok, got)
	}
	return nil
}

func isIdent(s string) bool {
	return s != "" && isIdentByte(s[0]) && !(s[0] >= '0' && s[0] <= '9')
}

// definition parses one top-level definition.
func (p *cParser) definition() error {
	if p.accept("typedef") {
		base, err := p.typeSpecifier()
		if err != nil {
			return err
		}
		name, t, _, err := p.declarator(base)
		if err != nil {
			return err
		}
		if name == "" {
			return fmt.Errorf("typedef without a name")
		}
		p.c.ctypes.types[name] = t
		p.accept(";")
		return p.end()
	}
	if _, err := p.typeSpecifier(); err != nil {
		return err
	}
	p.accept(";")
	return p.end()
}

func (p *cParser) end() error {
	if p.pos < len(p.toks) {
		return fmt.Errorf("unexpected '%s'", p.peek())
	}
	return nil
}

// typeSpecifier parses qualifiers and a type name or a struct, union or
// enum (with its body, which defines it).
func (p *cParser) typeSpecifier() (*lang.Type, error) {
	var words []string
	for {
		tok := p.peek()
		switch tok {
		case "const", "volatile", "static", "extern", "register", "restrict", "__restrict":
			p.pos++
			continue
		case "struct", "union":
			if len(words) > 0 {
				return nil, fmt.Errorf("unexpected '%s'", tok)
			}
			p.pos++
			return p.record(tok)
		case "enum":
			if len(words) > 0 {
				return nil, fmt.Errorf("unexpected 'enum'")
			}
			p.pos++
			return p.enum()
		case "unsigned", "signed", "char", "short", "int", "long", "_Bool", "bool", "void", "float", "double":
			p.pos++
			words = append(words, tok)
			continue
		}
		if len(words) == 0 && isIdent(tok) {
			p.pos++
			return p.typedefName(tok)
		}
		break
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("expected a type, found '%s'", p.peek())
	}
	name := strings.Join(words, " ")
	switch name {
	case "void":
		return lang.TVoid, nil
	case "float":
		return lang.FloatType(name, 4), nil
	case "double":
		return lang.FloatType(name, 8), nil
	case "long double":
		return lang.FloatType(name, 16), nil
	case "_Bool", "bool":
		return lang.TBool, nil
	case "long unsigned int", "long unsigned":
		name = "unsigned long"
	case "long long unsigned int", "long long unsigned":
		name = "unsigned long long"
	case "short unsigned int", "short unsigned":
		name = "unsigned short"
	}
	if t := namedInts[name]; t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("unknown type '%s'", name)
}

// typedefName resolves a type written as one identifier.
func (p *cParser) typedefName(name string) (*lang.Type, error) {
	if t, ok := p.c.ctypes.types[name]; ok {
		return t, nil
	}
	if t := namedInts[name]; t != nil {
		return t, nil
	}
	if t, ok := p.c.lookupCType(p.span, name); ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown type '%s'", name)
}

// record parses the rest of a struct or union: a reference, a forward
// declaration or a definition.
func (p *cParser) record(kind string) (*lang.Type, error) {
	name := ""
	if isIdent(p.peek()) {
		name = kind + " " + p.next()
	}
	if !p.accept("{") {
		if name == "" {
			return nil, fmt.Errorf("%s without a name or body", kind)
		}
		if t, ok := p.c.ctypes.types[name]; ok {
			return t, nil
		}
		if t, ok := p.c.lookupCType(p.span, name); ok {
			return t, nil
		}
		// A forward declaration or a pointer to an unknown struct: the
		// name is resolved when a member is read.
		return &lang.Type{Kind: lang.KStruct, Name: name}, nil
	}
	st := &lang.Type{Kind: lang.KStruct, Name: kind}
	if name != "" {
		st.Name = name
		// Defined before its members so that they may point to it.
		p.c.ctypes.types[name] = st
	}
	lay := &layout{union: kind == "union"}
	for !p.accept("}") {
		if p.peek() == "" {
			return nil, fmt.Errorf("expected '}' at the end")
		}
		base, err := p.typeSpecifier()
		if err != nil {
			return nil, err
		}
		if p.accept(";") {
			// An anonymous struct or union member: its members are the
			// parent's.
			if base.Kind == lang.KStruct && (base.Name == "struct" || base.Name == "union") {
				off := lay.place(base, 0)
				for _, f := range base.Fields {
					g := *f
					g.Offset += off
					st.Fields = append(st.Fields, &g)
				}
			}
			continue
		}
		for {
			fname, ft, bits, err := p.declarator(base)
			if err != nil {
				return nil, err
			}
			if fname == "" {
				return nil, fmt.Errorf("member without a name")
			}
			if findField(st, fname) != nil {
				return nil, fmt.Errorf("duplicate member '%s'", fname)
			}
			if ft.Kind == lang.KStruct && ft.Size == 0 && ft.Fields == nil {
				return nil, fmt.Errorf("member '%s' has incomplete type '%s'", fname, ft.Name)
			}
			f := &lang.Field{Name: fname, Type: ft}
			if bits > 0 {
				if !ft.IsInt() {
					return nil, fmt.Errorf("bitfield '%s' must have an integer type", fname)
				}
				f.Offset, f.BitOffset = lay.placeBits(ft, bits)
				f.BitSize = bits
			} else {
				f.Offset = lay.place(ft, 0)
			}
			st.Fields = append(st.Fields, f)
			if !p.accept(",") {
				break
			}
		}
		if p.peek() == "}" {
			// The last member's ';' may be left out, as bpftrace (clang)
			// allows: struct Foo { struct { int m[1] } y; }.
			continue
		}
		if err := p.expect(";"); err != nil {
			return nil, err
		}
	}
	st.Size = lay.finish()
	if st.Fields == nil {
		st.Fields = []*lang.Field{}
	}
	return st, nil
}

// declarator parses `*name[N][M]: bits` after a type specifier.
func (p *cParser) declarator(base *lang.Type) (string, *lang.Type, int, error) {
	t := base
	for p.accept("*") {
		for p.accept("const") || p.accept("volatile") || p.accept("restrict") {
		}
		t = ptrTo(t, false)
	}
	name := ""
	if isIdent(p.peek()) {
		name = p.next()
	}
	var dims []int
	for p.accept("[") {
		// `[]` is a flexible array member: no elements of its own.
		var n int64
		if p.peek() != "]" {
			var err error
			if n, err = p.constant(); err != nil {
				return "", nil, 0, err
			}
		}
		if err := p.expect("]"); err != nil {
			return "", nil, 0, err
		}
		dims = append(dims, int(n))
	}
	for i := len(dims) - 1; i >= 0; i-- {
		if t.Kind == lang.KInt && t.Size == 1 && i == len(dims)-1 && base == namedInts["char"] && dims[i] > 0 {
			t = lang.StringType(dims[i])
			t.CharArray = true
			continue
		}
		t = &lang.Type{Kind: lang.KArray, Elem: t, Len: dims[i], Size: dims[i] * lang.SizeOf(t)}
	}
	bits := 0
	if p.accept(":") {
		n, err := p.constant()
		if err != nil {
			return "", nil, 0, err
		}
		if n <= 0 || n > 64 {
			return "", nil, 0, fmt.Errorf("invalid bitfield width %d", n)
		}
		bits = int(n)
	}
	return name, t, bits, nil
}

// constant parses an integer, possibly negative, or an enumerator.
func (p *cParser) constant() (int64, error) {
	neg := p.accept("-")
	tok := p.next()
	tok = strings.TrimRight(tok, "uUlL")
	v, err := strconv.ParseInt(tok, 0, 64)
	if err != nil {
		if e, ok := p.c.ctypes.enums[tok]; ok {
			v, err = e.value, nil
		} else {
			return 0, fmt.Errorf("expected a number, found '%s'", tok)
		}
	}
	if neg {
		v = -v
	}
	return v, nil
}

// enum parses an enum reference or definition.
func (p *cParser) enum() (*lang.Type, error) {
	name := "enum"
	if isIdent(p.peek()) {
		name = "enum " + p.next()
	}
	if !p.accept("{") {
		if t, ok := p.c.ctypes.types[name]; ok {
			return t, nil
		}
		if t, ok := p.c.lookupCType(p.span, name); ok {
			return t, nil
		}
		return nil, fmt.Errorf("unknown type '%s'", name)
	}
	e := &lang.Enum{Name: name, Values: map[int64]string{}}
	t := lang.IntType(4, false)
	t.Enum = e
	var names []string
	var next int64
	for !p.accept("}") {
		n := p.next()
		if !isIdent(n) {
			return nil, fmt.Errorf("expected an enumerator, found '%s'", n)
		}
		if p.accept("=") {
			v, err := p.constant()
			if err != nil {
				return nil, err
			}
			next = v
		}
		if _, dup := e.Values[next]; !dup {
			e.Values[next] = n
		}
		p.c.ctypes.enums[n] = enumConst{next, t}
		names = append(names, n)
		next++
		if !p.accept(",") {
			if err := p.expect("}"); err != nil {
				return nil, err
			}
			break
		}
	}
	// The enum is unsigned unless a value is negative, and 8 bytes when a
	// value needs them.
	for v := range e.Values {
		if v < 0 {
			t.Signed = true
		}
		if v > 0xffffffff || v < -0x80000000 {
			t.Size = 8
		}
	}
	for _, n := range names {
		p.c.ctypes.enums[n] = enumConst{p.c.ctypes.enums[n].value, t}
	}
	if name != "enum" {
		p.c.ctypes.types[name] = t
	}
	return t, nil
}

// layout places members as C does on x86-64.
type layout struct {
	union bool
	off   int // next free byte (struct)
	size  int
	align int
	// bit is the next free bit inside the current bitfield unit.
	unitOff, unitSize, bit int
}

func (l *layout) place(t *lang.Type, _ int) int {
	l.unitSize = 0
	a := cAlign(t)
	l.align = max(l.align, a)
	size := lang.SizeOf(t)
	if t.Kind == lang.KStruct {
		size = t.Size
	}
	if l.union {
		l.size = max(l.size, size)
		return 0
	}
	off := lang.AlignUp(l.off, a)
	l.off = off + size
	return off
}

// placeBits places a bitfield of the given width in a storage unit of
// t's size, starting a new unit when it does not fit.
func (l *layout) placeBits(t *lang.Type, bits int) (int, int) {
	l.align = max(l.align, t.Size)
	if l.union {
		l.size = max(l.size, t.Size)
		return 0, 0
	}
	if l.unitSize != t.Size || l.bit+bits > 8*t.Size {
		// Bits go on from the current byte when they fit in an aligned unit.
		start := lang.AlignUp(l.off, 1)
		unit := start / t.Size * t.Size
		bit := 8 * (start - unit)
		if bit+bits > 8*t.Size {
			unit, bit = lang.AlignUp(start, t.Size), 0
		}
		l.unitOff, l.unitSize, l.bit = unit, t.Size, bit
	}
	off, bit := l.unitOff, l.bit
	l.bit += bits
	l.off = max(l.off, l.unitOff+(l.bit+7)/8)
	return off, bit
}

func (l *layout) finish() int {
	a := max(l.align, 1)
	if l.union {
		return lang.AlignUp(l.size, a)
	}
	return lang.AlignUp(l.off, a)
}

// cAlign is a type's C alignment. A kernel struct known only by name is
// assumed aligned to the largest power of two (up to 8) dividing its size.
func cAlign(t *lang.Type) int {
	switch t.Kind {
	case lang.KInt:
		return t.Size
	case lang.KBool, lang.KString:
		return 1
	case lang.KPtr:
		return 8
	case lang.KArray:
		return cAlign(t.Elem)
	case lang.KNone:
		if t.IsFloat() {
			return lang.AlignOf(t)
		}
	case lang.KStruct:
		return lang.StructAlign(t)
	}
	return 8
}
