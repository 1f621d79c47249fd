package parser

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// converter turns participle's grammar structs into the lang AST.
type converter struct {
	lines lineIndex
	ends  tokenEnds
	diags []*lang.Diagnostic
	// src and lexed, when set, are the script and the tokens the grammar
	// tree was parsed from (ends.toks scanned, one more: EOF): the spans of
	// the tree's token slices are then read from them, not searched.
	src   string
	lexed []lexer.Token
}

func (c *converter) errorf(span lang.Span, hint, format string, args ...any) {
	d := lang.Errorf(span, format, args...)
	d.Hint = hint
	c.diags = append(c.diags, d)
}

// span covers a grammar node's tokens.
func (c *converter) span(n *node) lang.Span {
	if len(n.Tokens) == 0 {
		// A node that matched nothing stands where the next token starts.
		if i := c.lexedIndex(n.Tokens); i >= 0 {
			off := c.lexed[i].Pos.Offset
			return c.lines.span(off, off)
		}
		return c.lines.span(0, 0)
	}
	return c.tokensSpan(n.Tokens)
}

func (c *converter) tokensSpan(toks []lexer.Token) lang.Span {
	first, last := toks[0], toks[len(toks)-1]
	if i := c.lexedIndex(toks); i >= 0 {
		if end, ok := c.tokenEnd(i + len(toks) - 1); ok {
			return lang.Span{Start: lang.Pos{Offset: first.Pos.Offset, Line: first.Pos.Line, Col: first.Pos.Column}, End: end}
		}
	}
	return c.lines.span(first.Pos.Offset, c.ends.end(last.Pos.Offset))
}

// lexedIndex returns the index in c.lexed of toks[0] (of where toks would
// start, when empty) when toks is a part of c.lexed (as the generated
// parser's nodes are), else -1.
func (c *converter) lexedIndex(toks []lexer.Token) int {
	i := cap(c.lexed) - cap(toks)
	if cap(toks) == 0 || i < 0 || i >= len(c.lexed) || i+len(toks) > len(c.lexed) || &c.lexed[i] != &toks[:1][0] {
		return -1
	}
	return i
}

// tokenEnd is where scanned token i ends: on the line of its start (in
// c.lexed) unless the token holds a newline. ok is false for EOF.
func (c *converter) tokenEnd(i int) (end lang.Pos, ok bool) {
	if i >= len(c.ends.toks) {
		return lang.Pos{}, false
	}
	t, start := c.ends.toks[i], c.lexed[i].Pos
	if strings.IndexByte(c.src[t.start:t.end], '\n') >= 0 {
		return c.lines.pos(t.end), true
	}
	return lang.Pos{Offset: t.end, Line: start.Line, Col: start.Column + t.end - t.start}, true
}

func (c *converter) tokenSpan(t lexer.Token) lang.Span {
	return c.lines.span(t.Pos.Offset, c.ends.end(t.Pos.Offset))
}

func join(a, b lang.Span) lang.Span { return lang.Span{Start: a.Start, End: b.End} }

func (c *converter) program(g *gProgram) *lang.Program {
	p := c.newProgram()
	c.programSpan(p, &g.node)
	for _, it := range g.Items {
		c.item(p, it)
	}
	return p
}

// newProgram is the program before its items are converted.
func (c *converter) newProgram() *lang.Program {
	return &lang.Program{Span: c.lines.span(0, 0)}
}

// programSpan gives p the span of n, the whole program's node, unless it
// took no token.
func (c *converter) programSpan(p *lang.Program, n *node) {
	if len(n.Tokens) > 0 {
		p.Span = c.span(n)
	}
}

// item converts one item of the program into p.
func (c *converter) item(p *lang.Program, it *gItem) {
	switch {
	case it.Directive != nil:
		p.Directives = append(p.Directives, directive(*it.Directive, c.span(&it.node)))
	case it.CDef != nil:
		p.CDefs = append(p.CDefs, &lang.CDefinition{Span: c.span(&it.node), Text: *it.CDef})
	case it.Config != nil:
		if p.Config != nil {
			c.errorf(c.span(&it.Config.node), "", "only one config block is allowed")
		}
		p.Config = c.config(it.Config)
	case it.Macro != nil:
		p.Macros = append(p.Macros, c.macro(it.Macro))
	case it.MapDecl != nil:
		p.MapDecls = append(p.MapDecls, c.mapDecl(it.MapDecl))
	case it.Probe != nil:
		pr := c.probe(it.Probe)
		pr.Index = len(p.Probes)
		p.Probes = append(p.Probes, pr)
	}
}

func directive(text string, span lang.Span) *lang.Directive {
	d := &lang.Directive{Span: span}
	rest := strings.TrimSpace(strings.TrimPrefix(text, "#"))
	name := rest
	if i := strings.IndexAny(rest, " \t<\""); i >= 0 {
		name = rest[:i]
	}
	d.Name = name
	d.Text = strings.TrimSpace(rest[len(name):])
	if name == "define" {
		f := strings.Fields(d.Text)
		if len(f) > 0 {
			d.DefineName = f[0]
			d.DefineValue = strings.TrimSpace(strings.TrimPrefix(d.Text, f[0]))
		}
	}
	return d
}

func (c *converter) config(g *gConfig) *lang.ConfigBlock {
	b := &lang.ConfigBlock{Span: c.span(&g.node)}
	for _, it := range g.Items {
		item := &lang.ConfigItem{Span: c.span(&it.node), Name: it.Name}
		v := it.Value
		vs := c.span(&v.node)
		switch {
		case v.Int != nil:
			item.Value = c.intLit(*v.Int, vs)
		case v.Str != nil:
			item.Value = c.strLit(*v.Str, vs)
		case v.Bool != nil:
			item.Value = &lang.BoolLit{Span: vs, Value: *v.Bool == "true"}
		case v.Ident != nil:
			item.Value = &lang.Ident{Span: vs, Name: *v.Ident}
		}
		b.Items = append(b.Items, item)
	}
	return b
}

func (c *converter) macro(g *gMacro) *lang.Macro {
	m := &lang.Macro{Span: c.span(&g.node), Name: g.Name, Params: g.Params, Body: c.block(g.Body)}
	if len(g.Tokens) >= 2 {
		m.NameSpan = join(c.tokenSpan(g.Tokens[0]), c.tokenSpan(g.Tokens[1]))
	}
	// The parameters are the tokens after "macro name (" that are not ','.
	for _, t := range g.Tokens[3:] {
		if len(m.ParamSpans) == len(g.Params) {
			break
		}
		if t.Value != "," {
			m.ParamSpans = append(m.ParamSpans, c.tokenSpan(t))
		}
	}
	return m
}

func (c *converter) mapDecl(g *gMapDecl) *lang.MapDecl {
	d := &lang.MapDecl{Span: c.span(&g.node), Name: g.Name, Kind: g.Kind}
	n, err := parseInt(g.Size)
	if err != nil || n > 1<<62 {
		c.errorf(d.Span, "", "invalid map size %s", g.Size)
	}
	d.MaxEntries = int64(n)
	return d
}

func (c *converter) probe(g *gProbe) *lang.Probe {
	p := &lang.Probe{Span: c.span(&g.node)}
	for _, a := range g.Attach {
		p.AttachPoints = append(p.AttachPoints, c.attach(a))
	}
	if g.Predicate != nil {
		p.Predicate = c.expr(g.Predicate)
	}
	p.Body = c.block(g.Body)
	return p
}

func (c *converter) attach(g *gAttach) *lang.AttachPoint {
	a := &lang.AttachPoint{Span: c.span(&g.node), Raw: g.Raw}
	parts := SplitAttach(g.Raw)
	a.Provider = parts[0]
	a.Parts = parts[1:]
	if len(a.Parts) == 0 && !strings.Contains(g.Raw, "$") {
		// (An attach point holding a positional parameter is whole only
		// once the checker substituted it.)
		if !probetype.Bare(a.Provider) {
			c.errorf(a.Span, "write provider:target, e.g. tracepoint:syscalls:sys_enter_openat, or BEGIN / END",
				"invalid attach point %q: expected provider:target", g.Raw)
		}
	}
	return a
}

// SplitAttach splits an attach point at the colons outside quotes and
// removes the quotes.
func SplitAttach(raw string) []string {
	var parts []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		switch {
		case ch == '\\' && inQuote && i+1 < len(raw):
			i++
			cur.WriteByte(raw[i])
		case ch == '"':
			inQuote = !inQuote
		case ch == ':' && !inQuote:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	return append(parts, cur.String())
}

func (c *converter) block(g *gBlock) *lang.Block {
	b := &lang.Block{Span: c.span(&g.node), Angle: g.Open == vAngleOpen}
	for i, st := range g.Stmts {
		if st.Empty {
			continue
		}
		simple := st.Let != nil || st.Jump != nil || st.Expr != nil
		if simple && len(st.Semis) == 0 && i+1 < len(g.Stmts) {
			next := g.Stmts[i+1].Tokens[0]
			c.errorf(c.tokenSpan(next), "", "syntax error, unexpected %s, expecting ;", describe(next))
		}
		b.Stmts = append(b.Stmts, c.stmt(st))
	}
	return b
}

func (c *converter) stmt(g *gStmt) lang.Stmt {
	switch {
	case g.If != nil:
		return c.ifStmt(g.If)
	case g.While != nil:
		w := g.While
		return &lang.WhileStmt{Span: c.span(&w.node), Cond: c.cond(w.Cond), Body: c.block(w.Body)}
	case g.For != nil:
		return c.forStmt(g.For)
	case g.Unroll != nil:
		u := &lang.UnrollStmt{Span: c.span(&g.Unroll.node), Count: c.expr(g.Unroll.Count), Body: c.block(g.Unroll.Body)}
		if toks, body := g.Unroll.Tokens, g.Unroll.Body; body != nil && len(body.Tokens) > 0 && len(toks) > len(body.Tokens) {
			u.Head = c.tokensSpan(toks[:len(toks)-len(body.Tokens)])
		}
		return u
	case g.Block != nil:
		return &lang.BlockStmt{Span: c.span(&g.Block.node), Body: c.block(g.Block)}
	case g.Let != nil:
		return c.let(g.Let)
	case g.Jump != nil:
		j := &lang.JumpStmt{Span: c.span(&g.Jump.node), Kind: g.Jump.Kind}
		if g.Jump.Value != nil {
			j.Value = c.expr(g.Jump.Value)
		}
		return j
	default:
		return c.simple(g.Expr)
	}
}

// simple converts an expression statement or an assignment.
func (c *converter) simple(g *gSimple) lang.Stmt {
	x := c.expr(g.X)
	if g.Op == nil {
		return &lang.ExprStmt{Span: c.span(&g.node), X: x}
	}
	switch x.(type) {
	case *lang.Var, *lang.MapExpr:
	default:
		c.errorf(c.tokenSpan(g.Tokens[len(g.X.Tokens)]), "only variables ($x) and maps (@m, @m[key]) can be assigned",
			"syntax error, unexpected %s", *g.Op)
	}
	return &lang.AssignStmt{Span: c.span(&g.node), Target: x, Op: *g.Op, Value: c.expr(g.Value)}
}

func (c *converter) ifStmt(g *gIf) *lang.IfStmt {
	s := &lang.IfStmt{Span: c.span(&g.node), Cond: c.cond(g.Cond), Then: c.block(g.Then)}
	if g.Else != nil {
		if g.Else.If != nil {
			s.Else = c.ifStmt(g.Else.If)
		} else {
			s.Else = c.block(g.Else.Block)
		}
	}
	return s
}

// cond converts the condition of an if or a while: in `if (x) {}` the
// parentheses belong to the statement, so the condition is x itself.
func (c *converter) cond(g *gExpr) lang.Expr {
	if g.Tern == nil && len(g.Cond.Rest) == 0 {
		if u := g.Cond.X; u.Postfix != nil && len(u.Postfix.Ops) == 0 {
			if pa := u.Postfix.X.Paren; pa != nil && len(pa.Elems) == 1 && pa.Elems[0].Name == nil {
				return c.expr(pa.Elems[0].X)
			}
		}
	}
	return c.expr(g)
}

func (c *converter) forStmt(g *gFor) lang.Stmt {
	h := g.Paren
	if h == nil {
		h = g.Bare
	}
	// The variable is the head's first token.
	v := &lang.Var{Span: c.tokenSpan(h.Tokens[0]), Name: h.Var}
	if h.Range != nil {
		return &lang.ForRangeStmt{Span: c.span(&g.node), Var: v,
			Start: c.expr(h.Range.Start), End: c.expr(h.Range.End), Body: c.block(g.Body)}
	}
	var mapTok lexer.Token
	for _, t := range h.Tokens {
		if t.Type == tMap {
			mapTok = t
			break
		}
	}
	m := &lang.MapExpr{Span: c.tokenSpan(mapTok), Name: *h.Map}
	return &lang.ForMapStmt{Span: c.span(&g.node), Var: v, Map: m, Body: c.block(g.Body)}
}

func (c *converter) let(g *gLet) *lang.LetStmt {
	s := &lang.LetStmt{Span: c.span(&g.node), Var: &lang.Var{Span: c.tokenSpan(g.Tokens[1]), Name: g.Var}}
	if g.Type != nil {
		t := g.Type
		name := ""
		switch {
		case t.Typeof != nil:
			name = "typeof"
		case t.Tagged != nil:
			name = t.Tagged.Tag + " " + t.Tagged.Name
		default:
			name = *t.Name
		}
		s.Type = c.typeSpec(&t.node, name, len(t.Stars), t.Array)
		if t.Typeof != nil {
			s.Type.Of = c.expr(t.Typeof)
		}
	}
	if g.Value != nil {
		s.Value = c.expr(g.Value)
	}
	return s
}

func (c *converter) typeOf(g *gType) *lang.TypeSpec {
	name := ""
	stars := len(g.Stars)
	switch {
	case g.Typeof != nil:
		t := c.typeSpec(&g.node, "typeof", stars, g.Array)
		t.Of = c.expr(g.Typeof)
		return t
	case g.Tagged != nil:
		name = g.Tagged.Tag + " " + g.Tagged.Name
	case g.Builtin != nil:
		name = *g.Builtin
	case g.Plain != nil:
		name = *g.Plain
	default:
		name = g.PtrIdent.Name
		stars += len(g.PtrIdent.Stars)
	}
	return c.typeSpec(&g.node, name, stars, g.Array)
}

func (c *converter) typeSpec(n *node, name string, stars int, array *string) *lang.TypeSpec {
	t := &lang.TypeSpec{Span: c.span(n), Name: name, Pointers: stars}
	if array != nil {
		v, err := parseInt(*array)
		if err != nil || v == 0 || v > 1<<31 {
			c.errorf(t.Span, "", "invalid array length %s", *array)
		}
		t.ArrayLen = int(v)
	}
	return t
}

func (c *converter) intLit(raw string, span lang.Span) *lang.IntLit {
	v, err := parseInt(raw)
	if err != nil {
		c.errorf(span, "", "%s", err.Error())
	}
	return &lang.IntLit{Span: span, Value: v, Raw: raw}
}

func (c *converter) strLit(raw string, span lang.Span) *lang.StrLit {
	v, _, _ := unquote(raw)
	return &lang.StrLit{Span: span, Value: v}
}

// describe names a token the way bison-generated parsers do in messages.
func describe(t lexer.Token) string {
	switch t.Type {
	case tEOF:
		return "end of file"
	case tIdent:
		return "identifier"
	case tInt:
		return "integer"
	case tString:
		return "string"
	case tVar:
		return "variable"
	case tPositional:
		return "positional parameter"
	case tMap:
		return "map"
	case tAttach:
		return "attach point"
	case tDirective:
		return "preprocessor directive"
	case tCDef:
		return "C definition"
	case tAngleOpen:
		return "<"
	case tAngleClose:
		return ">"
	case tPredOpen, tPredClose:
		return "/"
	}
	return t.Value
}
