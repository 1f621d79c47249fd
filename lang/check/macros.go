package check

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
	"github.com/gobpftrace/gobpftrace/stdlib"
)

// Macros and #define constants are expanded in the AST before checking,
// as bpftrace does:
//
//   - `#define NAME value` replaces the identifier NAME by the expression
//     value;
//   - `macro m($x, @y, z) { stmts; expr }` is expanded where it is called.
//     A `$x` parameter is replaced by the argument expression at every use
//     (so a variable argument is the caller's variable, and an expression
//     is evaluated at each use), `@y` by the map passed, `z` by the
//     argument: an expression, a block `{ stmts; v }`, or a type, which
//     stands where z is written as a type ((z)x, sizeof(z), let $v: z).
//     The macro's own variables are renamed so that
//     they cannot collide with the caller's. A macro without parameters may
//     be used as a bare identifier.
//
// A call used as a statement, or as the whole value of an assignment or a
// `let`, splices the macro's statements into the caller. Inside another
// expression of a statement, the macro's statements run before that
// statement, where bpftrace would evaluate the call: an operand that && ||
// ?: may skip becomes an if that sets a variable of the expansion's own,
// an else-if's condition runs in the else branch, a while condition at
// each turn (while (true) { stmts; if (cond) {} else { break; } ... }), a
// predicate's at the start of the body. A block expression `{ stmts; v }`
// is expanded the same way (as a statement, in a block of its own).
//
// A #define's value may use other #defines: they are expanded in turn (a
// define is not expanded inside its own value, as in C). Expansion is
// bounded by depth (maxMacroDepth) and by the number of nodes it produces
// (maxMacroNodes): a macro's argument is copied at every use of its
// parameter, so nested calls can grow exponentially.

type expander struct {
	macros  map[string][]*lang.Macro // each name's definitions, in order
	defines map[string]lang.Expr
	errs    []*lang.Diagnostic
	n       int // expansions so far, for renaming
	depth   int
	// hoist collects the statements of macros used inside an expression:
	// they run before the statement that holds the expression.
	hoist   *[]lang.Stmt
	tooDeep bool
	// produced counts the nodes copied so far; tooBig is set past
	// maxMacroNodes and stops expansion.
	produced int
	tooBig   bool
	// expanding marks the #defines whose value is being expanded.
	expanding map[string]bool
	edit      lang.Edit
	// using is the node of the last macroUse, for expand's recursion check.
	using lang.Expr
	// stack names the macros being expanded, outermost first: a macro
	// met again inside its own expansion is a recursive call.
	stack []string
	// argDepth holds, for a macro call copied from a macro's argument,
	// how many macros were being expanded where the argument was written:
	// only those can make it recursive.
	argDepth map[lang.Node]int
}

const (
	// maxMacroDepth bounds recursive expansion.
	maxMacroDepth = 32
	// maxMacroNodes bounds the nodes that expansion may produce in a
	// whole script (a node is an operator, an operand or a statement).
	maxMacroNodes = 200000
)

// expandMacros rewrites prog in place and returns positioned errors.
func expandMacros(prog *lang.Program) []*lang.Diagnostic {
	x := &expander{macros: map[string][]*lang.Macro{}, defines: map[string]lang.Expr{}, expanding: map[string]bool{}}
	x.edit = lang.Edit{
		Expr:  x.expr,
		Stmts: x.stmts,
		Node:  func(n lang.Node) lang.Node { x.walk(n); return n },
	}
	for _, d := range prog.Directives {
		if d == nil || d.Name != "include" {
			continue
		}
		for name, value := range includedMacros(d.Text) {
			if e, err := parseDefine(value); err == nil {
				setSpans(e, d.Span)
				x.defines[name] = e
			}
		}
	}
	for _, d := range prog.Directives {
		if d == nil || d.Name != "define" || d.DefineName == "" {
			continue
		}
		value := strings.TrimSpace(d.DefineValue)
		if value == "" {
			value = "1"
		}
		e, err := parseDefine(value)
		if err != nil {
			x.errs = append(x.errs, lang.Errorf(d.Span, "#define %s: cannot use %q as an expression", d.DefineName, value))
			continue
		}
		setSpans(e, d.Span)
		x.defines[d.DefineName] = e
	}
	for _, m := range prog.Macros {
		if m == nil {
			continue
		}
		if redefines(x.macros[m.Name], m) {
			// An earlier definition takes every call this one would.
			x.errs = append(x.errs, lang.Errorf(nameSpan(m), "Redefinition of macro: %s", m.Name))
			continue
		}
		if d := duplicateParam(m); d != nil {
			x.errs = append(x.errs, d)
			continue
		}
		if d := builtinParam(m); d != nil {
			x.errs = append(x.errs, d)
			continue
		}
		if d := incrementsIdent(m); d != nil {
			x.errs = append(x.errs, d)
			continue
		}
		x.macros[m.Name] = append(x.macros[m.Name], m)
	}
	if len(x.macros) == 0 && len(x.defines) == 0 && !hasBlockExpr(prog) {
		return x.errs
	}
	for _, p := range prog.Probes {
		if p == nil {
			continue
		}
		var h []lang.Stmt
		if p.Predicate != nil {
			p.Predicate, h = x.hoisting(p.Predicate)
		}
		x.walk(p.Body)
		if len(h) > 0 && p.Body != nil {
			// The predicate's macros have statements: they run first,
			// then the predicate decides, as an if in the body.
			at := p.Predicate.Pos()
			skip := &lang.IfStmt{Span: at, Cond: p.Predicate, Then: &lang.Block{Span: at},
				Else: &lang.Block{Span: at, Stmts: []lang.Stmt{&lang.JumpStmt{Span: at, Kind: "return"}}}}
			p.Predicate = nil
			p.Body.Stmts = append(append(h, skip), p.Body.Stmts...)
		}
	}
	return x.errs
}

// duplicateParam reports a variable or map named twice in m's parameters.
func duplicateParam(m *lang.Macro) *lang.Diagnostic {
	seen := map[string]bool{}
	for _, p := range m.Params {
		if seen[p] {
			kind := "Variable"
			if strings.HasPrefix(p, "@") {
				kind = "Map"
			} else if !strings.HasPrefix(p, "$") {
				kind = "Identifier"
			}
			return lang.Errorf(m.Span, "%s for macro argument has already been used: %s", kind, p)
		}
		seen[p] = true
	}
	return nil
}

func parseDefine(value string) (lang.Expr, error) {
	prog, err := parser.Parse("define", "BEGIN { "+value+"; }")
	if err != nil {
		return nil, err
	}
	if len(prog.Probes) != 1 || prog.Probes[0].Body == nil || len(prog.Probes[0].Body.Stmts) != 1 {
		return nil, fmt.Errorf("not an expression")
	}
	es, ok := prog.Probes[0].Body.Stmts[0].(*lang.ExprStmt)
	if !ok || es.X == nil {
		return nil, fmt.Errorf("not an expression")
	}
	return es.X, nil
}

// walk expands the children of n: statement lists get their macro
// statements spliced, expressions are expanded, other nodes are walked.
func (x *expander) walk(n lang.Node) {
	e, isExpr := n.(lang.Expr)
	if !isExpr || x.hoist == nil {
		lang.EditChildren(n, x.edit)
		return
	}
	x.operandsInOrder(e)
}

// operandsInOrder expands e's operands. The statements of a macro or a
// block in one operand run before the whole statement, so an operand
// evaluated before it that reads what those statements may change
// (`$i + { $i += 1; $i }`, or two such blocks) is kept in a variable of
// its own, set just before them: each operand then sees the state its
// place in the expression gives it, as bpftrace evaluates them.
func (x *expander) operandsInOrder(e lang.Expr) {
	_, isCall := e.(*lang.Call)
	var done []lang.Expr
	captured := map[int]*lang.Var{}
	edit := x.edit
	edit.Expr = func(c lang.Expr) lang.Expr {
		before := len(*x.hoist)
		c = x.expr(c)
		if len(*x.hoist) > before {
			var lets []lang.Stmt
			for i, d := range done {
				if captured[i] != nil || !readsState(d, isCall) {
					continue
				}
				v := x.newTemp("operand", d.Pos())
				captured[i] = v
				lets = append(lets, &lang.LetStmt{Span: d.Pos(), Var: v, Value: d})
			}
			if len(lets) > 0 {
				h := *x.hoist
				*x.hoist = append(append(append([]lang.Stmt{}, h[:before]...), lets...), h[before:]...)
			}
		}
		done = append(done, c)
		return c
	}
	lang.EditChildren(e, edit)
	if len(captured) == 0 {
		return
	}
	k := -1
	lang.EditChildren(e, lang.Edit{Expr: func(c lang.Expr) lang.Expr {
		k++
		if v := captured[k]; v != nil {
			return &lang.Var{Span: v.Span, Name: v.Name}
		}
		return c
	}})
}

// readsState reports whether e is a value worth keeping before later
// statements run: it reads a variable or a map, or calls a function, and
// is plainly a value (no block, no address taken). A bare map given to a
// function (argOfCall) may be its map argument (len(@m), delete(@m, k)):
// it stays as it is.
func readsState(e lang.Expr, argOfCall bool) bool {
	if m, ok := e.(*lang.MapExpr); ok && len(m.Keys) == 0 && argOfCall {
		return false
	}
	reads, plain := false, true
	lang.Inspect(e, func(n lang.Node) bool {
		switch n := n.(type) {
		case *lang.Sizeof, *lang.Offsetof, *lang.TypeExpr, *lang.TypeSpec:
			return false // a type is read at compile time
		case *lang.Var, *lang.MapExpr, *lang.Call:
			reads = true
		case *lang.BlockExpr:
			plain = false
		case *lang.Unary:
			if n.Op == "&" {
				plain = false
			}
		}
		return plain
	})
	return reads && plain
}

// stmts expands a statement list, splicing macro statements.
func (x *expander) stmts(list []lang.Stmt) []lang.Stmt {
	var out []lang.Stmt
	for _, s := range list {
		if es, ok := s.(*lang.ExprStmt); ok {
			if be, ok := es.X.(*lang.BlockExpr); ok {
				// A block argument used as a statement (`x;`): its
				// statements and its value, in a block of their own.
				out = append(out, x.blockStmt(be))
				continue
			}
			if t, ok := es.X.(*lang.Ternary); ok && t.Then != nil {
				out = append(out, x.ternaryStmt(es, t)...)
				continue
			}
		}
		var call lang.Expr
		var set func(lang.Expr) lang.Stmt
		switch s := s.(type) {
		case *lang.ExprStmt:
			call = s.X
			set = func(e lang.Expr) lang.Stmt { c := *s; c.X = e; return &c }
		case *lang.AssignStmt:
			call = s.Value
			set = func(e lang.Expr) lang.Stmt { c := *s; c.Value = e; return &c }
		case *lang.LetStmt:
			call = s.Value
			set = func(e lang.Expr) lang.Stmt { c := *s; c.Value = e; return &c }
		}
		if m, args, span, ok := x.macroUse(call); ok {
			body, last := x.expand(m, args, span)
			if body == nil && last == nil {
				out = append(out, s) // reported
				continue
			}
			{
				rest := x.stmts(body)
				if last != nil {
					if _, isExpr := s.(*lang.ExprStmt); isExpr {
						rest = append(rest, set(last))
					} else {
						rest = append(rest, x.finish(set(last)))
					}
				} else if _, isExpr := s.(*lang.ExprStmt); !isExpr {
					x.errs = append(x.errs, lang.Errorf(span, "Macro '%s' expanded to a block instead of a block expression. Try removing the semicolon from the end of the last statement in the macro body.", m.Name))
				}
				out = append(out, rest...)
				continue
			}
		}
		switch s := s.(type) {
		case *lang.IfStmt:
			out = append(out, x.ifStmt(s)...)
			continue
		case *lang.WhileStmt:
			out = append(out, x.whileStmt(s))
			continue
		}
		saved := x.hoist
		var h []lang.Stmt
		switch s.(type) {
		case *lang.ExprStmt, *lang.AssignStmt, *lang.LetStmt, *lang.ForRangeStmt:
			// A loop's range is evaluated once, before the loop.
			x.hoist = &h
		default:
			x.hoist = nil
		}
		x.walk(s)
		x.hoist = saved
		out = append(out, h...)
		out = append(out, s)
	}
	return out
}

// finish expands the rest of a statement built from a macro's value.
func (x *expander) finish(s lang.Stmt) lang.Stmt {
	switch s := s.(type) {
	case *lang.AssignStmt:
		s.Target = x.expr(s.Target)
	}
	return s
}

// macroUse reports whether e calls a macro (or names one without
// parameters, or a #define constant is not involved).
func (x *expander) macroUse(e lang.Expr) (*lang.Macro, []lang.Expr, lang.Span, bool) {
	m, args, span, ok := x.macroUseOf(e)
	x.using = e
	return m, args, span, ok
}

// macroUseOf is macroUse without recording the node.
func (x *expander) macroUseOf(e lang.Expr) (*lang.Macro, []lang.Expr, lang.Span, bool) {
	switch e := e.(type) {
	case *lang.Call:
		// A call no definition takes leaves a builtin of the same name
		// callable (comm() beside a user's macro comm($pid)); otherwise
		// expand reports it.
		if defs := x.macros[e.Name]; len(defs) > 0 {
			if m := matchMacro(defs, e.Args); m != nil {
				return m, e.Args, e.Span, true
			}
			if !isBuiltinName(e.Name) {
				return defs[0], e.Args, e.Span, true
			}
		}
	case *lang.Ident:
		// A bare name calls a definition without parameters.
		if defs := x.macros[e.Name]; len(defs) > 0 {
			if m := matchMacro(defs, nil); m != nil {
				return m, nil, e.Span, true
			}
			if !isBuiltinName(e.Name) {
				return defs[0], nil, e.Span, true
			}
		}
	}
	return nil, nil, lang.Span{}, false
}

// expr expands macros and defines inside an expression.
func (x *expander) expr(e lang.Expr) lang.Expr {
	if e == nil {
		return nil
	}
	if id, ok := e.(*lang.Ident); ok {
		if d, ok := x.defines[id.Name]; ok && !x.expanding[id.Name] {
			if _, isMacro := x.macros[id.Name]; !isMacro {
				// The value may use other defines (not itself).
				v := x.clone(d, id.Span)
				if v == nil {
					return e
				}
				x.expanding[id.Name] = true
				v = x.expr(v)
				delete(x.expanding, id.Name)
				return v
			}
		}
	}
	if be, ok := e.(*lang.BlockExpr); ok {
		return x.blockValue(be)
	}
	if m, args, span, ok := x.macroUse(e); ok {
		body, last := x.expand(m, args, span)
		if body == nil && last == nil {
			return e
		}
		if len(body) > 0 && last != nil && x.hoist != nil {
			*x.hoist = append(*x.hoist, body...)
			return last
		}
		if last == nil {
			x.errs = append(x.errs, lang.Errorf(span, "Macro '%s' expanded to a block instead of a block expression. Try removing the semicolon from the end of the last statement in the macro body.", m.Name))
			return e
		}
		if len(body) > 0 {
			x.errs = append(x.errs, lang.Errorf(span, "Macro %s has statements: it cannot be used inside this expression yet", m.Name))
			return e
		}
		return last
	}
	if x.hoist != nil {
		// The statements of macros and blocks in an operand that && || ?:
		// may skip run only when the operand is evaluated.
		switch c := e.(type) {
		case *lang.Binary:
			if c.Op == "&&" || c.Op == "||" {
				return x.logical(c)
			}
		case *lang.Ternary:
			return x.ternary(c)
		}
	}
	x.walk(e)
	return e
}

// hoisting expands e, collecting the statements it hoists instead of
// placing them before the current statement.
func (x *expander) hoisting(e lang.Expr) (lang.Expr, []lang.Stmt) {
	saved := x.hoist
	var h []lang.Stmt
	x.hoist = &h
	e = x.expr(e)
	x.hoist = saved
	return e, h
}

// newTemp names a variable of the expansion's own for a value.
func (x *expander) newTemp(kind string, at lang.Span) *lang.Var {
	x.n++
	return &lang.Var{Span: at, Name: fmt.Sprintf("$__%s_%d", kind, x.n)}
}

// logical expands `a && b` or `a || b`. When b's macros or blocks have
// statements, they run only when b is evaluated: the value becomes a
// variable set by an if before the statement (let $t: bool = false;
// if (a) { stmts; if (b) { $t = true; } } for &&).
func (x *expander) logical(b *lang.Binary) lang.Expr {
	b.X = x.expr(b.X)
	y, h := x.hoisting(b.Y)
	b.Y = y
	if len(h) == 0 {
		return b
	}
	at := b.Span
	t := x.newTemp("cond", at)
	set := func() *lang.Block {
		return &lang.Block{Span: at, Stmts: []lang.Stmt{&lang.AssignStmt{Span: at, Target: &lang.Var{Span: at, Name: t.Name}, Op: "=", Value: &lang.BoolLit{Span: at, Value: true}}}}
	}
	evalY := append(h, &lang.IfStmt{Span: at, Cond: b.Y, Then: set()})
	var test *lang.IfStmt
	if b.Op == "&&" {
		test = &lang.IfStmt{Span: at, Cond: b.X, Then: &lang.Block{Span: at, Stmts: evalY}}
	} else {
		test = &lang.IfStmt{Span: at, Cond: b.X, Then: set(), Else: &lang.Block{Span: at, Stmts: evalY}}
	}
	decl := &lang.LetStmt{Span: at, Var: &lang.Var{Span: at, Name: t.Name}, Type: &lang.TypeSpec{Span: at, Name: "bool"}, Value: &lang.BoolLit{Span: at}}
	*x.hoist = append(*x.hoist, decl, test)
	return t
}

// ternary expands `c ? a : b`. When a's or b's macros or blocks have
// statements, only the chosen branch's run: the value becomes a variable
// set by an if/else before the statement.
func (x *expander) ternary(c *lang.Ternary) lang.Expr {
	c.Cond = x.expr(c.Cond)
	var then lang.Expr
	var ht []lang.Stmt
	if c.Then != nil {
		then, ht = x.hoisting(c.Then)
	}
	els, he := x.hoisting(c.Else)
	c.Then, c.Else = then, els
	if len(ht) == 0 && len(he) == 0 {
		return c
	}
	at := c.Span
	if then == nil {
		// `c ?: e`: c, evaluated once, is also the value when true.
		v := x.newTemp("value", at)
		*x.hoist = append(*x.hoist, &lang.LetStmt{Span: at, Var: v, Value: c.Cond})
		c.Cond, then = &lang.Var{Span: at, Name: v.Name}, &lang.Var{Span: at, Name: v.Name}
	}
	t := x.newTemp("value", at)
	assign := func(h []lang.Stmt, v lang.Expr) *lang.Block {
		return &lang.Block{Span: at, Stmts: append(h, &lang.AssignStmt{Span: at, Target: &lang.Var{Span: at, Name: t.Name}, Op: "=", Value: v})}
	}
	decl := &lang.LetStmt{Span: at, Var: &lang.Var{Span: at, Name: t.Name}}
	*x.hoist = append(*x.hoist, decl, &lang.IfStmt{Span: at, Cond: c.Cond, Then: assign(ht, then), Else: assign(he, els)})
	return t
}

// ternaryStmt expands `c ? a : b;` used as a statement: each branch is
// expanded as a statement of its own (so a macro without a value may be
// one), and when a macro or a block was expanded in a branch the whole
// becomes if/else.
func (x *expander) ternaryStmt(s *lang.ExprStmt, c *lang.Ternary) []lang.Stmt {
	var h []lang.Stmt
	saved := x.hoist
	x.hoist = &h
	c.Cond = x.expr(c.Cond)
	x.hoist = saved
	branch := func(e lang.Expr) ([]lang.Stmt, lang.Expr) {
		list := x.stmts([]lang.Stmt{&lang.ExprStmt{Span: e.Pos(), X: e}})
		if len(list) == 1 {
			if es, ok := list[0].(*lang.ExprStmt); ok {
				return list, es.X
			}
		}
		return list, nil
	}
	thenList, then := branch(c.Then)
	elseList, els := branch(c.Else)
	if then == c.Then && els == c.Else {
		// No macro or block made a branch anew.
		return append(h, s)
	}
	at := c.Span
	return append(h, &lang.IfStmt{Span: s.Span, Cond: c.Cond,
		Then: &lang.Block{Span: at, Stmts: thenList}, Else: &lang.Block{Span: at, Stmts: elseList}})
}

// clone copies e for a use at the given place, counting the nodes made
// against maxMacroNodes; nil once the bound is passed (reported at).
func (x *expander) clone(e lang.Expr, at lang.Span) lang.Expr {
	if !x.grow(lang.Size(e), at) {
		return nil
	}
	return lang.Clone(e).(lang.Expr)
}

// grow counts n more nodes made by expansion; past maxMacroNodes it
// reports the error (once, at the expansion that passed the bound) and
// returns false.
func (x *expander) grow(n int, at lang.Span) bool {
	if x.tooBig {
		return false
	}
	x.produced += n
	if x.produced > maxMacroNodes {
		x.tooBig = true
		d := lang.Errorf(at, "macro expansion is too large: it makes more than %d nodes", maxMacroNodes)
		d.Hint = "a macro's argument is copied at every use of its parameter: assign a large argument to a variable and pass the variable"
		x.errs = append(x.errs, d)
		return false
	}
	return true
}

// expand instantiates macro m with args: its statements and its final
// expression (nil when the body does not end with one). Both nil on error.
func (x *expander) expand(m *lang.Macro, args []lang.Expr, at lang.Span) ([]lang.Stmt, lang.Expr) {
	if !takes(m, args) {
		x.noDefinition(m.Name, args, at)
		return nil, nil
	}
	if x.tooDeep || x.tooBig {
		return nil, nil
	}
	outer := x.stack
	if d, ok := x.argDepth[x.using]; ok && d <= len(outer) {
		outer = outer[:d]
	}
	for i, name := range outer {
		if name == m.Name {
			chain := append(append([]string{}, outer[i:]...), m.Name)
			x.errs = append(x.errs, lang.Errorf(at, "Recursive macro call detected. Call chain: %s", strings.Join(chain, " > ")))
			x.tooDeep = true
			return nil, nil
		}
	}
	if x.depth >= maxMacroDepth {
		x.tooDeep = true
		x.errs = append(x.errs, lang.Errorf(at, "Macro %s expands too deeply (recursive?)", m.Name))
		return nil, nil
	}
	vars, maps, idents := map[string]lang.Expr{}, map[string]string{}, map[string]lang.Expr{}
	for i, p := range m.Params {
		switch {
		case strings.HasPrefix(p, "$"):
			vars[p] = args[i] // a variable (takes checked it)
		case strings.HasPrefix(p, "@"):
			me := args[i].(*lang.MapExpr)
			maps[p] = me.Name
		default:
			idents[p] = args[i]
		}
	}
	if m.Body == nil {
		return []lang.Stmt{}, nil
	}
	x.n++
	suffix := fmt.Sprintf("_%s_%d", m.Name, x.n)
	if !x.grow(lang.Size(m.Body), at) {
		return nil, nil
	}
	body := lang.Clone(m.Body).(*lang.Block)
	if !x.substitute(body, vars, maps, idents, suffix, at) {
		return nil, nil
	}
	castOrBinop(body)
	stmts := body.Stmts
	var last lang.Expr
	if n := len(stmts); n > 0 {
		if es, ok := stmts[n-1].(*lang.ExprStmt); ok && es.X != nil && !isVoidCall(es.X) {
			last, stmts = es.X, stmts[:n-1]
		}
	}
	x.depth++
	x.stack = append(x.stack, m.Name)
	stmts = x.stmts(stmts)
	if last != nil {
		if inner, innerArgs, span, ok := x.macroUse(last); ok {
			// The body ends with another macro: its statements join
			// these, its value (if any) is this macro's.
			body, value := x.expand(inner, innerArgs, span)
			if body == nil && value == nil {
				x.stack = x.stack[:len(x.stack)-1]
				x.depth--
				return nil, nil // reported
			}
			stmts = append(stmts, body...)
			last = value
		} else {
			// What the value's own macros and blocks hoist runs after
			// this macro's statements.
			saved := x.hoist
			var h []lang.Stmt
			x.hoist = &h
			last = x.expr(last)
			x.hoist = saved
			stmts = append(stmts, h...)
		}
	}
	x.stack = x.stack[:len(x.stack)-1]
	x.depth--
	if stmts == nil {
		stmts = []lang.Stmt{}
	}
	return stmts, last
}

// isVoidCall reports calls whose value is nothing (a macro that ends with
// print() is a statement macro).
func isVoidCall(e lang.Expr) bool {
	c, ok := e.(*lang.Call)
	if !ok {
		return false
	}
	switch c.Name {
	case "printf", "print", "exit", "time", "clear", "zero", "cat", "system", "errorf", "join", "signal", "override":
		return true
	}
	return false
}

// substitute replaces the parameters in a copied macro body and renames its
// own variables. It reports false when expansion grew too large.
func (x *expander) substitute(b *lang.Block, vars map[string]lang.Expr, maps map[string]string, idents map[string]lang.Expr, suffix string, at lang.Span) bool {
	var edit lang.Edit
	visit := func(n lang.Node) {
		switch n := n.(type) {
		case *lang.Var:
			if _, isParam := vars[n.Name]; !isParam {
				n.Name += suffix
			}
			return
		case *lang.MapExpr:
			if to, ok := maps[n.Name]; ok {
				n.Name = to
			} else {
				x.errs = append(x.errs, lang.Errorf(n.Span, "Unhygienic access to map: %s. Maps must be passed into the macro as arguments.", n.Name))
			}
		case *lang.TypeSpec:
			// A type argument: a type, `typeof(expr)` or a type's name
			// passed for a parameter written where a type goes ((T)x,
			// let $v: T, sizeof(T *)).
			if arg, ok := idents[n.Name]; ok && n.Of == nil {
				switch a := arg.(type) {
				case *lang.TypeExpr:
					x.applyType(n, a)
					return
				case *lang.Call:
					if a.Name == "typeof" && len(a.Args) == 1 {
						// The caller's expression: not renamed.
						n.Name, n.Of = "typeof", x.clone(a.Args[0], at)
						return
					}
					x.notAType(n, arg)
				case *lang.Ident:
					n.Name = a.Name
				default:
					x.notAType(n, arg)
				}
			}
		case *lang.LetStmt:
			if n.Var != nil {
				if _, isParam := vars[n.Var.Name]; isParam {
					x.errs = append(x.errs, lang.Errorf(n.Span, "Variable declaration shadows macro arg %s", n.Var.Name))
				}
			}
		}
		lang.EditChildren(n, edit)
	}
	edit = lang.Edit{
		Expr: func(e lang.Expr) lang.Expr {
			var arg lang.Expr
			switch e := e.(type) {
			case *lang.Var:
				arg = vars[e.Name]
			case *lang.Ident:
				arg = idents[e.Name]
			}
			if arg != nil {
				if c := x.clone(arg, at); c != nil {
					x.markArgCalls(arg, c)
					return c
				}
				return e
			}
			visit(e)
			return e
		},
		Stmts: func(list []lang.Stmt) []lang.Stmt {
			for _, s := range list {
				if s != nil {
					visit(s)
				}
			}
			return list
		},
		Node: func(n lang.Node) lang.Node { visit(n); return n },
	}
	visit(b)
	return !x.tooBig
}

// setSpans places every node of e at the given span.
func setSpans(e lang.Expr, at lang.Span) {
	lang.Inspect(e, func(n lang.Node) bool {
		if p, ok := n.(interface{ SetPos(lang.Span) }); ok {
			p.SetPos(at)
		}
		return true
	})
}

// unmangleMessages gives variables renamed by macro expansion
// (`$x_getcwd_2`) their written names back in diagnostics.
func unmangleMessages(prog *lang.Program, diags []*lang.Diagnostic) {
	if len(diags) == 0 {
		return
	}
	names := []string{blockSuffix}
	for _, m := range prog.Macros {
		if m != nil {
			names = append(names, regexp.QuoteMeta(m.Name))
		}
	}
	re := regexp.MustCompile(`(\$[A-Za-z_][A-Za-z0-9_]*?)_(?:` + strings.Join(names, "|") + `)_[0-9]+\b`)
	for _, d := range diags {
		for {
			msg := re.ReplaceAllString(d.Msg, "$1")
			if msg == d.Msg {
				break
			}
			d.Msg = msg
		}
	}
}

// markArgCalls records the nodes of c, a copy of argument arg, as written
// where arg was: where the macros now being expanded were called, or,
// for an argument passed on from another argument, where that one was.
func (x *expander) markArgCalls(arg, c lang.Expr) {
	if x.argDepth == nil {
		x.argDepth = map[lang.Node]int{}
	}
	depth, ok := x.argDepth[arg]
	if !ok {
		depth = len(x.stack)
	}
	mark := func(n lang.Node) bool {
		if _, seen := x.argDepth[n]; !seen {
			x.argDepth[n] = depth
		}
		return true
	}
	mark(c)
	lang.Inspect(c, mark)
}

// blockSuffix marks the variables a block expression declares, renamed
// per use (`$t_block_3`); unmangleMessages removes it.
const blockSuffix = "block"

// hasBlockExpr reports whether prog holds a block expression, which
// expansion turns into statements even without macros.
func hasBlockExpr(prog *lang.Program) bool {
	found := false
	for _, p := range prog.Probes {
		if p == nil {
			continue
		}
		lang.Inspect(p, func(n lang.Node) bool {
			if _, ok := n.(*lang.BlockExpr); ok {
				found = true
			}
			return !found
		})
	}
	return found
}

// blockStmt expands a block expression used as a statement: its
// statements and its value run in a block of their own, so what it
// declares stays inside.
func (x *expander) blockStmt(be *lang.BlockExpr) lang.Stmt {
	var list []lang.Stmt
	if be.Body != nil {
		list = append(list, be.Body.Stmts...)
	}
	if be.Value != nil {
		list = append(list, &lang.ExprStmt{Span: be.Value.Pos(), X: be.Value})
	}
	return &lang.BlockStmt{Span: be.Span, Body: &lang.Block{Span: be.Span, Stmts: x.stmts(list)}}
}

// blockValue expands a block expression used as a value: its statements
// run before the statement that holds it, and its value takes its place.
// The variables it declares with let are its own, renamed for each use,
// as a block scopes them.
func (x *expander) blockValue(be *lang.BlockExpr) lang.Expr {
	x.n++
	renameDeclared(be, fmt.Sprintf("_%s_%d", blockSuffix, x.n))
	var stmts []lang.Stmt
	if be.Body != nil {
		stmts = x.stmts(be.Body.Stmts)
	}
	saved := x.hoist
	var h []lang.Stmt
	x.hoist = &h
	value := x.expr(be.Value)
	x.hoist = saved
	stmts = append(stmts, h...)
	if len(stmts) > 0 {
		if x.hoist == nil {
			d := lang.Errorf(be.Span, "A block with statements cannot be used inside this expression yet")
			d.Hint = "compute the block's value into a variable in a statement before this one, and use the variable"
			x.errs = append(x.errs, d)
			return value
		}
		*x.hoist = append(*x.hoist, stmts...)
	}
	return value
}

// renameDeclared gives the variables declared with let directly in be's
// statements a new name, everywhere in be.
func renameDeclared(be *lang.BlockExpr, suffix string) {
	if be.Body == nil {
		return
	}
	declared := map[string]bool{}
	for _, s := range be.Body.Stmts {
		if l, ok := s.(*lang.LetStmt); ok && l.Var != nil {
			declared[l.Var.Name] = true
		}
	}
	if len(declared) == 0 {
		return
	}
	lang.Inspect(be, func(n lang.Node) bool {
		if v, ok := n.(*lang.Var); ok && declared[v.Name] {
			v.Name += suffix
		}
		return true
	})
}

// applyType puts type argument a where the parameter stands in n: (T)x,
// (T *)x, let $v: T, T[4].
func (x *expander) applyType(n *lang.TypeSpec, a *lang.TypeExpr) {
	spec := a.Spec
	if spec == nil {
		return
	}
	if spec.ArrayLen > 0 && (n.Pointers > 0 || n.ArrayLen > 0) {
		d := lang.Errorf(n.Span, "cannot make a pointer to or an array of the array type %s", spec.Text())
		d.Hint = "pass the array's element type and write the array in the macro: T[4]"
		x.errs = append(x.errs, d)
		return
	}
	n.Name = spec.Name
	if spec.Of != nil {
		n.Of = lang.Clone(spec.Of).(lang.Expr)
	}
	n.Pointers += spec.Pointers
	if n.ArrayLen == 0 {
		n.ArrayLen = spec.ArrayLen
	}
}

// notAType reports a parameter written where a type goes whose argument is
// an expression.
func (x *expander) notAType(n *lang.TypeSpec, arg lang.Expr) {
	d := lang.Errorf(arg.Pos(), "Macro argument %s is used as a type, but got an expression", n.Name)
	d.Hint = "pass a type (int32, struct task_struct *) or typeof(expr)"
	x.errs = append(x.errs, d)
}

// incrementsIdent reports `x++` or `--x` on an identifier in m's body, as
// bpftrace's parser does: a bare parameter stands for a value, which the
// macro may not change (a variable passed for it stays the caller's).
func incrementsIdent(m *lang.Macro) *lang.Diagnostic {
	var d *lang.Diagnostic
	lang.Inspect(m.Body, func(n lang.Node) bool {
		if u, ok := n.(*lang.Unary); ok && (u.Op == "++" || u.Op == "--") {
			if _, isIdent := u.X.(*lang.Ident); isIdent {
				d = lang.Errorf(u.Span, "The %s operator must be applied to a map or variable", u.Op)
				d.Hint = "a bare parameter stands for a value; to change the caller's variable, name the parameter $x"
			}
		}
		return d == nil
	})
	return d
}

// builtinParam reports a bare parameter named as a builtin variable (pid,
// comm...), which bpftrace's parser refuses.
func builtinParam(m *lang.Macro) *lang.Diagnostic {
	for i, p := range m.Params {
		if strings.HasPrefix(p, "$") || strings.HasPrefix(p, "@") || stdlib.LookupVar(p) == nil {
			continue
		}
		at := m.Span
		if i < len(m.ParamSpans) {
			at = m.ParamSpans[i]
		}
		d := lang.Errorf(at, `syntax error, unexpected builtin, expecting ) or ","`)
		d.Hint = fmt.Sprintf("%s is a builtin: name the parameter otherwise", p)
		return d
	}
	return nil
}

// ifStmt expands an if: what its condition hoists runs before it, and an
// else-if's before that else-if only (in the else branch).
func (x *expander) ifStmt(s *lang.IfStmt) []lang.Stmt {
	var h []lang.Stmt
	s.Cond, h = x.hoisting(s.Cond)
	if s.Then != nil {
		x.walk(s.Then)
	}
	switch e := s.Else.(type) {
	case *lang.IfStmt:
		if inner := x.ifStmt(e); len(inner) > 1 {
			s.Else = &lang.Block{Span: e.Span, Stmts: inner}
		}
	case nil:
	default:
		x.walk(e)
	}
	return append(h, s)
}

// whileStmt expands a while loop. When its condition's macros or blocks
// have statements, they run at each turn before the test:
// while (true) { stmts; if (cond) {} else { break; } body }, so that
// continue reaches them too.
func (x *expander) whileStmt(s *lang.WhileStmt) lang.Stmt {
	var h []lang.Stmt
	s.Cond, h = x.hoisting(s.Cond)
	if s.Body != nil {
		x.walk(s.Body)
	}
	if len(h) == 0 || s.Body == nil {
		return s
	}
	at := s.Cond.Pos()
	test := &lang.IfStmt{Span: at, Cond: s.Cond, Then: &lang.Block{Span: at},
		Else: &lang.Block{Span: at, Stmts: []lang.Stmt{&lang.JumpStmt{Span: at, Kind: "break"}}}}
	s.Cond = &lang.BoolLit{Span: at, Value: true}
	s.Body.Stmts = append(append(h, test), s.Body.Stmts...)
	return s
}

// castOrBinop reads `(T)-x` and `(T)*p`, with T a type argument, as casts
// (the parser, not knowing T is a type, read a subtraction or a
// multiplication): the cast applies to the operator and the leftmost
// operand of the right side, which binds tighter than the rest of it.
func castOrBinop(root lang.Node) {
	var edit lang.Edit
	fix := func(e lang.Expr) lang.Expr {
		lang.EditChildren(e, edit)
		b, ok := e.(*lang.Binary)
		if !ok || (b.Op != "-" && b.Op != "*") {
			return e
		}
		te, ok := b.X.(*lang.TypeExpr)
		if !ok || te.Spec == nil {
			return e
		}
		leaf := &b.Y
		for {
			inner, ok := (*leaf).(*lang.Binary)
			if !ok {
				break
			}
			leaf = &inner.X
		}
		sp := lang.Span{Start: te.Span.Start, End: (*leaf).Pos().End}
		to := lang.Clone(te.Spec).(*lang.TypeSpec)
		*leaf = &lang.Cast{Span: sp, To: to, X: &lang.Unary{Span: sp, Op: b.Op, X: *leaf}}
		return b.Y
	}
	edit = lang.Edit{
		Expr: fix,
		Stmts: func(list []lang.Stmt) []lang.Stmt {
			for _, s := range list {
				if s != nil {
					lang.EditChildren(s, edit)
				}
			}
			return list
		},
		Node: func(n lang.Node) lang.Node { lang.EditChildren(n, edit); return n },
	}
	lang.EditChildren(root, edit)
}
