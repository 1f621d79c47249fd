package parser

import "github.com/alecthomas/participle/v2/lexer"

// fastParse builds the same grammar tree as the participle grammar
// (grammar.go) with hand-written recursive descent: building the
// participle parser takes milliseconds (reflection over every grammar
// struct), more than everything else gobpftrace does before its first
// probe is attached. It follows participle's semantics (with unlimited
// lookahead, which accepts the same scripts as the grammar's lookahead
// guards): alternatives are tried in order and the first that matches
// wins, a failed alternative or optional part is rewound, repetitions are
// greedy, literals match by value and token types by type, and a node's
// Pos and Tokens are its first token and the tokens it consumed. It
// reports only success: on any syntax error Parse runs participle, whose
// errors the diagnostics are built from. TestFastParseMatchesParticiple
// checks that both build equal trees.
func fastParse(toks []lexer.Token) (*gProgram, bool) {
	if len(toks) == 0 {
		return nil, false
	}
	p := &fastParser{toks: toks, budget: 16*len(toks) + 1024}
	g := &gProgram{}
	for {
		it := p.item()
		if it == nil {
			break
		}
		g.Items = append(g.Items, it)
	}
	if p.toks[p.i].Type != tEOF || p.work > p.budget {
		return nil, false
	}
	p.fill(&g.node, 0)
	return g, true
}

type fastParser struct {
	toks []lexer.Token // ends with EOF
	i    int
	// work counts the tokens consumed, backtracking included. Past budget
	// every match fails, so that input needing much backtracking (a
	// syntax error deep in nested blocks) costs linear time here and is
	// left to participle, whose bounded lookahead reports it in linear time.
	work, budget int
}

// more reports whether the work budget allows consuming one more token,
// and counts it.
func (p *fastParser) more() bool {
	p.work++
	return p.work <= p.budget
}

func (p *fastParser) fill(n *node, start int) {
	n.Pos = p.toks[start].Pos
	n.Tokens = p.toks[start:p.i]
}

// lit consumes a token whose value is v.
func (p *fastParser) lit(v string) bool {
	if t := p.toks[p.i]; t.Type != tEOF && t.Value == v && p.more() {
		p.i++
		return true
	}
	return false
}

// litOf consumes a token whose value is one of vs and returns it.
func (p *fastParser) litOf(vs ...string) (string, bool) {
	t := p.toks[p.i]
	if t.Type == tEOF {
		return "", false
	}
	for _, v := range vs {
		if t.Value == v && p.more() {
			p.i++
			return v, true
		}
	}
	return "", false
}

// typ consumes a token of one of the types ts and returns its value.
func (p *fastParser) typ(ts ...lexer.TokenType) (string, bool) {
	t := p.toks[p.i]
	if t.Type == tEOF {
		return "", false
	}
	for _, tt := range ts {
		if t.Type == tt && p.more() {
			p.i++
			return t.Value, true
		}
	}
	return "", false
}

func strp(s string) *string { return &s }

// heap copies a node built in a local variable: the attempts that fail
// (every operand ends with a postfix operator that is not there) then
// allocate nothing.
func heap[T any](v T) *T { return &v }

func (p *fastParser) item() *gItem {
	start := p.i
	g := &gItem{}
	if v, ok := p.typ(tDirective); ok {
		g.Directive = strp(v)
	} else if v, ok := p.typ(tCDef); ok {
		g.CDef = strp(v)
	} else if c := p.config(); c != nil {
		g.Config = c
	} else if m := p.macro(); m != nil {
		g.Macro = m
	} else if d := p.mapDecl(); d != nil {
		g.MapDecl = d
	} else if pr := p.probe(); pr != nil {
		g.Probe = pr
	} else if p.lit(";") {
		g.Semi = strp(";")
	} else {
		return nil
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) config() *gConfig {
	start := p.i
	if !p.lit("config") || !p.lit("=") || !p.lit("{") {
		p.i = start
		return nil
	}
	g := &gConfig{}
	opt := p.i
	if first := p.configItem(); first != nil {
		g.Items = append(g.Items, first)
		for {
			at := p.i
			if !p.lit(";") {
				break
			}
			it := p.configItem()
			if it == nil {
				p.i = at
				break
			}
			g.Items = append(g.Items, it)
		}
		p.lit(";")
	} else {
		p.i = opt
	}
	if !p.lit("}") {
		p.i = start
		return nil
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) configItem() *gConfigItem {
	start := p.i
	name, ok := p.typ(tIdent, tKeyword, tTypeName)
	if !ok || !p.lit("=") {
		p.i = start
		return nil
	}
	vstart := p.i
	v := &gConfigValue{}
	if s, ok := p.typ(tInt); ok {
		v.Int = strp(s)
	} else if s, ok := p.typ(tString); ok {
		v.Str = strp(s)
	} else if s, ok := p.litOf("true", "false"); ok {
		v.Bool = strp(s)
	} else if s, ok := p.typ(tIdent, tTypeName); ok {
		v.Ident = strp(s)
	} else {
		p.i = start
		return nil
	}
	p.fill(&v.node, vstart)
	g := &gConfigItem{Name: name, Value: v}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) macro() *gMacro {
	start := p.i
	fail := func() *gMacro { p.i = start; return nil }
	if !p.lit("macro") {
		return fail()
	}
	name, ok := p.typ(tIdent)
	if !ok || !p.lit("(") {
		return fail()
	}
	g := &gMacro{Name: name}
	if v, ok := p.typ(tVar, tMap, tIdent); ok {
		g.Params = append(g.Params, v)
		for {
			at := p.i
			if !p.lit(",") {
				break
			}
			v, ok := p.typ(tVar, tMap, tIdent)
			if !ok {
				p.i = at
				break
			}
			g.Params = append(g.Params, v)
		}
	}
	if !p.lit(")") {
		return fail()
	}
	if g.Body = p.block(); g.Body == nil {
		return fail()
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) mapDecl() *gMapDecl {
	start := p.i
	fail := func() *gMapDecl { p.i = start; return nil }
	if !p.lit("let") {
		return fail()
	}
	name, ok := p.typ(tMap)
	if !ok || !p.lit("=") {
		return fail()
	}
	kind, ok := p.typ(tIdent)
	if !ok || !p.lit("(") {
		return fail()
	}
	size, ok := p.typ(tInt)
	if !ok || !p.lit(")") {
		return fail()
	}
	p.lit(";")
	g := &gMapDecl{Name: name, Kind: kind, Size: size}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) attach() *gAttach {
	start := p.i
	v, ok := p.typ(tAttach)
	if !ok {
		return nil
	}
	g := &gAttach{Raw: v}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) probe() *gProbe {
	start := p.i
	fail := func() *gProbe { p.i = start; return nil }
	a := p.attach()
	if a == nil {
		return fail()
	}
	g := &gProbe{Attach: []*gAttach{a}}
	for {
		at := p.i
		if !p.lit(",") {
			break
		}
		a := p.attach()
		if a == nil {
			p.i = at
			break
		}
		g.Attach = append(g.Attach, a)
	}
	at := p.i
	if _, ok := p.typ(tPredOpen); ok {
		e := p.expr()
		if _, closed := p.typ(tPredClose); e != nil && closed {
			g.Predicate = e
		} else {
			p.i = at
		}
	}
	if g.Body = p.block(); g.Body == nil {
		return fail()
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) block() *gBlock {
	start := p.i
	open, ok := p.litOf("{")
	if !ok {
		if open, ok = p.typ(tAngleOpen); !ok {
			return nil
		}
	}
	g := &gBlock{Open: open}
	for {
		s := p.stmt()
		if s == nil {
			break
		}
		g.Stmts = append(g.Stmts, s)
	}
	cl, ok := p.litOf("}")
	if !ok {
		if cl, ok = p.typ(tAngleClose); !ok {
			p.i = start
			return nil
		}
	}
	g.Close = cl
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) stmt() *gStmt {
	start := p.i
	g := &gStmt{}
	if s := p.simple(); s != nil {
		g.Expr = s
	} else if s := p.ifStmt(); s != nil {
		g.If = s
	} else if s := p.while(); s != nil {
		g.While = s
	} else if s := p.forStmt(); s != nil {
		g.For = s
	} else if s := p.unroll(); s != nil {
		g.Unroll = s
	} else if s := p.block(); s != nil {
		g.Block = s
	} else if s := p.let(); s != nil {
		g.Let = s
	} else if s := p.jump(); s != nil {
		g.Jump = s
	} else if p.lit(";") {
		g.Empty = true
	} else {
		return nil
	}
	for p.lit(";") {
		g.Semis = append(g.Semis, ";")
	}
	p.fill(&g.node, start)
	return g
}

// kwParenExpr matches `kw "(" expr ")"`.
func (p *fastParser) kwParenExpr(kw string) *gExpr {
	start := p.i
	if !p.lit(kw) || !p.lit("(") {
		p.i = start
		return nil
	}
	e := p.expr()
	if e == nil || !p.lit(")") {
		p.i = start
		return nil
	}
	return e
}

// condBlock parses what follows `if` or `while`: a condition (usually in
// parentheses) and a block.
func (p *fastParser) condBlock() (cond *gExpr, body *gBlock) {
	at := p.i
	if c := p.expr(); c != nil {
		if b := p.block(); b != nil {
			return c, b
		}
	}
	p.i = at
	return nil, nil
}

func (p *fastParser) ifStmt() *gIf {
	start := p.i
	if !p.lit("if") {
		return nil
	}
	cond, then := p.condBlock()
	if cond == nil {
		p.i = start
		return nil
	}
	g := &gIf{Cond: cond, Then: then}
	at := p.i
	if p.lit("else") {
		estart := p.i
		e := &gElse{}
		if i := p.ifStmt(); i != nil {
			e.If = i
		} else if b := p.block(); b != nil {
			e.Block = b
		}
		if e.If != nil || e.Block != nil {
			p.fill(&e.node, estart)
			g.Else = e
		} else {
			p.i = at
		}
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) while() *gWhile {
	start := p.i
	if !p.lit("while") {
		return nil
	}
	cond, body := p.condBlock()
	if cond == nil {
		p.i = start
		return nil
	}
	g := &gWhile{Cond: cond, Body: body}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) unroll() *gUnroll {
	start := p.i
	n := p.kwParenExpr("unroll")
	if n == nil {
		return nil
	}
	body := p.block()
	if body == nil {
		p.i = start
		return nil
	}
	g := &gUnroll{Count: n, Body: body}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) forStmt() *gFor {
	start := p.i
	fail := func() *gFor { p.i = start; return nil }
	if !p.lit("for") {
		return fail()
	}
	g := &gFor{}
	at := p.i
	if p.lit("(") {
		if h := p.forHead(); h != nil && p.lit(")") {
			g.Paren = h
		} else {
			p.i = at
		}
	}
	if g.Paren == nil {
		if g.Bare = p.forHead(); g.Bare == nil {
			return fail()
		}
	}
	if g.Body = p.block(); g.Body == nil {
		return fail()
	}
	p.fill(&g.node, start)
	return g
}

// forHead is `$x : a..b` or `$x : @m`.
func (p *fastParser) forHead() *gForHead {
	start := p.i
	v, ok := p.typ(tVar)
	if !ok || !p.lit(":") {
		p.i = start
		return nil
	}
	h := &gForHead{Var: v}
	rstart := p.i
	if from := p.expr(); from != nil && p.lit("..") {
		if to := p.expr(); to != nil {
			h.Range = &gRange{Start: from, End: to}
			p.fill(&h.Range.node, rstart)
		}
	}
	if h.Range == nil {
		p.i = rstart
		m, ok := p.typ(tMap)
		if !ok {
			p.i = start
			return nil
		}
		h.Map = strp(m)
	}
	p.fill(&h.node, start)
	return h
}

func (p *fastParser) let() *gLet {
	start := p.i
	if !p.lit("let") {
		return nil
	}
	v, ok := p.typ(tVar)
	if !ok {
		p.i = start
		return nil
	}
	g := &gLet{Var: v}
	at := p.i
	if p.lit(":") {
		if g.Type = p.letType(); g.Type == nil {
			p.i = at
		}
	}
	at = p.i
	if p.lit("=") {
		if g.Value = p.expr(); g.Value == nil {
			p.i = at
		}
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) jump() *gJump {
	start := p.i
	kind, ok := p.litOf("break", "continue", "return")
	if !ok {
		return nil
	}
	g := &gJump{Kind: kind, Value: p.expr()}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) simple() *gSimple {
	start := p.i
	x := p.expr()
	if x == nil {
		return nil
	}
	g := &gSimple{X: x}
	at := p.i
	if op, ok := p.typ(tAssignOp); ok {
		if v := p.expr(); v != nil {
			g.Op, g.Value = strp(op), v
		} else {
			p.i = at
		}
	}
	p.fill(&g.node, start)
	return g
}

// Types.

func (p *fastParser) stars() []string {
	var s []string
	for p.lit("*") {
		s = append(s, "*")
	}
	return s
}

// arraySuffix matches `( "[" @Int "]" )?`.
func (p *fastParser) arraySuffix() *string {
	at := p.i
	if p.lit("[") {
		if n, ok := p.typ(tInt); ok && p.lit("]") {
			return strp(n)
		}
	}
	p.i = at
	return nil
}

func (p *fastParser) tagged() *gTagged {
	start := p.i
	tag, ok := p.litOf("struct", "union", "enum")
	if !ok {
		return nil
	}
	name, ok := p.typ(tIdent, tTypeName)
	if !ok {
		p.i = start
		return nil
	}
	g := &gTagged{Tag: tag, Name: name}
	p.fill(&g.node, start)
	return g
}

// castFollow are the tokens after `)` that make `(ident)` a cast.
func (p *fastParser) castFollow(t lexer.Token) bool {
	switch t.Type {
	case tEOF:
		return false
	case tVar, tMap, tInt, tString, tIdent, tPositional:
		return true
	}
	switch t.Value {
	case "(", "true", "false", "sizeof", "offsetof":
		return true
	}
	return false
}

// typeofArg matches `"typeof" "(" @@ ")"`.
func (p *fastParser) typeofArg() *gExpr {
	start := p.i
	if !p.lit("typeof") || !p.lit("(") {
		p.i = start
		return nil
	}
	x := p.expr()
	if x == nil || !p.lit(")") {
		p.i = start
		return nil
	}
	return x
}

func (p *fastParser) typeName() *gType {
	start := p.i
	g := &gType{}
	if x := p.typeofArg(); x != nil {
		g.Typeof = x
	} else if t := p.tagged(); t != nil {
		g.Tagged = t
	} else if v, ok := p.typ(tTypeName); ok {
		g.Builtin = strp(v)
	} else if pi := p.ptrIdent(); pi != nil {
		g.PtrIdent = pi
	} else if v, ok := p.typ(tIdent); ok && p.toks[p.i].Type != tEOF && p.toks[p.i].Value == ")" && p.castFollow(p.toks[p.i+1]) {
		g.Plain = strp(v)
	} else {
		p.i = start
		return nil
	}
	g.Stars = p.stars()
	g.Array = p.arraySuffix()
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) ptrIdent() *gPtrIdent {
	start := p.i
	name, ok := p.typ(tIdent)
	if !ok {
		return nil
	}
	stars := p.stars()
	if len(stars) == 0 {
		p.i = start
		return nil
	}
	g := &gPtrIdent{Name: name, Stars: stars}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) letType() *gLetType {
	start := p.i
	g := &gLetType{}
	if x := p.typeofArg(); x != nil {
		g.Typeof = x
	} else if t := p.tagged(); t != nil {
		g.Tagged = t
	} else if v, ok := p.typ(tTypeName, tIdent); ok {
		g.Name = strp(v)
	} else {
		return nil
	}
	g.Stars = p.stars()
	g.Array = p.arraySuffix()
	p.fill(&g.node, start)
	return g
}

// Expressions.

func (p *fastParser) expr() *gExpr {
	start := p.i
	cond := p.binary()
	if cond == nil {
		return nil
	}
	g := &gExpr{Cond: cond, Tern: p.ternTail()}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) ternTail() *gTernTail {
	start := p.i
	if !p.lit("?") {
		return nil
	}
	g := &gTernTail{Then: p.expr()}
	if !p.lit(":") {
		p.i = start
		return nil
	}
	if g.Else = p.expr(); g.Else == nil {
		p.i = start
		return nil
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) binary() *gBinary {
	start := p.i
	x := p.unary()
	if x == nil {
		return nil
	}
	g := &gBinary{X: x}
	for {
		at := p.i
		op, ok := p.typ(tBinOp)
		if !ok {
			break
		}
		y := p.unary()
		if y == nil {
			p.i = at
			break
		}
		b := &gBinOp{Op: op, Y: y}
		p.fill(&b.node, at)
		g.Rest = append(g.Rest, b)
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) unary() *gUnary {
	start := p.i
	var g gUnary // on the heap only when it matches
	op, ok := p.typ(tPrefixOp)
	if !ok {
		op, ok = p.litOf("-", "*", "&")
	}
	if ok {
		if x := p.unary(); x != nil {
			g.Op, g.X = strp(op), x
		} else {
			p.i = start
		}
	}
	if g.Op == nil {
		if c := p.cast(); c != nil {
			g.Cast = c
		} else if pf := p.postfix(); pf != nil {
			g.Postfix = pf
		} else {
			return nil
		}
	}
	p.fill(&g.node, start)
	return heap(g)
}

func (p *fastParser) cast() *gCast {
	start := p.i
	if !p.lit("(") {
		return nil
	}
	to := p.typeName()
	if to == nil || !p.lit(")") {
		p.i = start
		return nil
	}
	x := p.unary()
	if x == nil {
		p.i = start
		return nil
	}
	g := &gCast{To: to, X: x}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) postfix() *gPostfix {
	start := p.i
	x := p.primary()
	if x == nil {
		return nil
	}
	g := &gPostfix{X: x}
	for {
		op := p.postOp()
		if op == nil {
			break
		}
		g.Ops = append(g.Ops, op)
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) postOp() *gPostOp {
	start := p.i
	var g gPostOp // on the heap only when it matches
	if p.lit(".") {
		if v, ok := p.typ(tIdent, tKeyword, tTypeName, tInt); ok {
			g.Field = strp(v)
		}
	}
	if g.Field == nil {
		p.i = start
		if p.lit("->") {
			if v, ok := p.typ(tIdent, tKeyword, tTypeName); ok {
				g.Arrow = strp(v)
			}
		}
	}
	if g.Field == nil && g.Arrow == nil {
		p.i = start
		if p.lit("[") {
			if e := p.expr(); e != nil && p.lit("]") {
				g.Index = e
			}
		}
	}
	if g.Field == nil && g.Arrow == nil && g.Index == nil {
		p.i = start
		if v, ok := p.litOf("++", "--"); ok {
			g.IncDec = strp(v)
		} else {
			return nil
		}
	}
	p.fill(&g.node, start)
	return heap(g)
}

func (p *fastParser) primary() *gPrimary {
	start := p.i
	var g gPrimary // on the heap only when it matches
	if v, ok := p.typ(tVar); ok {
		g.Var = strp(v)
	} else if m := p.mapExpr(); m != nil {
		g.Map = m
	} else if co := p.containerOf(); co != nil {
		g.ContainerOf = co
	} else if c := p.call(); c != nil {
		g.Call = c
	} else if v, ok := p.typ(tIdent); ok {
		g.Ident = strp(v)
	} else if v, ok := p.typ(tInt); ok {
		g.Int = strp(v)
	} else if v, ok := p.typ(tString); ok {
		g.Str = strp(v)
	} else if v, ok := p.typ(tPositional); ok {
		g.Positional = strp(v)
	} else if pa := p.paren(); pa != nil {
		g.Paren = pa
	} else if v, ok := p.litOf("true", "false"); ok {
		g.Bool = strp(v)
	} else if s := p.sizeof(); s != nil {
		g.Sizeof = s
	} else if o := p.offsetof(); o != nil {
		g.Offsetof = o
	} else {
		return nil
	}
	p.fill(&g.node, start)
	return heap(g)
}

// typeOrExpr matches `( @@ | @@ )` of a type, then an expression.
func (p *fastParser) typeOrExpr() (*gType, *gExpr, bool) {
	if t := p.typeName(); t != nil {
		return t, nil, true
	}
	if e := p.expr(); e != nil {
		return nil, e, true
	}
	return nil, nil, false
}

func (p *fastParser) sizeof() *gSizeof {
	start := p.i
	if !p.lit("sizeof") || !p.lit("(") {
		p.i = start
		return nil
	}
	g := &gSizeof{}
	var ok bool
	if g.Type, g.X, ok = p.typeOrExpr(); !ok || !p.lit(")") {
		p.i = start
		return nil
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) offsetof() *gOffsetof {
	start := p.i
	fail := func() *gOffsetof { p.i = start; return nil }
	if !p.lit("offsetof") || !p.lit("(") {
		return fail()
	}
	g := &gOffsetof{}
	var ok bool
	if g.Type, g.X, ok = p.typeOrExpr(); !ok || !p.lit(",") {
		return fail()
	}
	f, ok := p.typ(tIdent, tKeyword, tTypeName)
	if !ok {
		return fail()
	}
	g.Fields = append(g.Fields, f)
	for {
		at := p.i
		if !p.lit(".") {
			break
		}
		f, ok := p.typ(tIdent, tKeyword, tTypeName)
		if !ok {
			p.i = at
			break
		}
		g.Fields = append(g.Fields, f)
	}
	if !p.lit(")") {
		return fail()
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) containerOf() *gContainerOf {
	start := p.i
	fail := func() *gContainerOf { p.i = start; return nil }
	if !p.lit("container_of") || !p.lit("(") {
		return fail()
	}
	g := &gContainerOf{}
	if g.X = p.expr(); g.X == nil || !p.lit(",") {
		return fail()
	}
	if g.Type = p.typeName(); g.Type == nil || !p.lit(",") {
		return fail()
	}
	for {
		f, ok := p.typ(tIdent, tKeyword, tTypeName)
		if !ok {
			return fail()
		}
		g.Fields = append(g.Fields, f)
		if !p.lit(".") {
			break
		}
	}
	if !p.lit(")") {
		return fail()
	}
	p.fill(&g.node, start)
	return g
}

// exprList matches `@@ ( "," @@ )*`.
func (p *fastParser) exprList() []*gExpr {
	first := p.expr()
	if first == nil {
		return nil
	}
	list := []*gExpr{first}
	for {
		at := p.i
		if !p.lit(",") {
			break
		}
		e := p.expr()
		if e == nil {
			p.i = at
			break
		}
		list = append(list, e)
	}
	return list
}

func (p *fastParser) call() *gCall {
	start := p.i
	name, ok := p.typ(tIdent)
	if !ok || !p.lit("(") {
		p.i = start
		return nil
	}
	g := &gCall{Name: name}
	at := p.i
	if g.Args = p.exprList(); g.Args == nil {
		p.i = at
	}
	if !p.lit(")") {
		p.i = start
		return nil
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) mapExpr() *gMap {
	start := p.i
	name, ok := p.typ(tMap)
	if !ok {
		return nil
	}
	g := &gMap{Name: name}
	at := p.i
	if p.lit("[") {
		if keys := p.exprList(); keys != nil && p.lit("]") {
			g.Keys = keys
		} else {
			p.i = at
		}
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) elem() *gElem {
	start := p.i
	g := &gElem{}
	if v, ok := p.typ(tIdent); ok && p.lit("=") {
		g.Name = strp(v)
	} else {
		p.i = start
	}
	if g.X = p.expr(); g.X == nil {
		p.i = start
		return nil
	}
	p.fill(&g.node, start)
	return g
}

func (p *fastParser) paren() *gParen {
	start := p.i
	if !p.lit("(") {
		return nil
	}
	first := p.elem()
	if first == nil {
		p.i = start
		return nil
	}
	g := &gParen{Elems: []*gElem{first}}
	for {
		at := p.i
		if !p.lit(",") {
			break
		}
		e := p.elem()
		if e == nil {
			p.i = at
			break
		}
		g.Elems = append(g.Elems, e)
	}
	if !p.lit(")") {
		p.i = start
		return nil
	}
	p.fill(&g.node, start)
	return g
}
