package check

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
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
//     argument expression. The macro's own variables are renamed so that
//     they cannot collide with the caller's. A macro without parameters may
//     be used as a bare identifier.
//
// A call used as a statement, or as the whole value of an assignment or a
// `let`, splices the macro's statements into the caller. Inside another
// expression of a statement, the macro's statements run before that
// statement (also when the expression would be skipped by && or ?:); in a
// while condition or a loop range the macro must be a single expression.

type expander struct {
	macros  map[string]*lang.Macro
	defines map[string]lang.Expr
	errs    []*lang.Diagnostic
	n       int // expansions so far, for renaming
	depth   int
	// hoist collects the statements of macros used inside an expression:
	// they run before the statement that holds the expression.
	hoist   *[]lang.Stmt
	tooDeep bool
}

// maxMacroDepth bounds recursive expansion.
const maxMacroDepth = 32

var (
	exprType = reflect.TypeOf((*lang.Expr)(nil)).Elem()
	stmtType = reflect.TypeOf((*lang.Stmt)(nil)).Elem()
)

// expandMacros rewrites prog in place and returns positioned errors.
func expandMacros(prog *lang.Program) []*lang.Diagnostic {
	x := &expander{macros: map[string]*lang.Macro{}, defines: map[string]lang.Expr{}}
	for _, d := range prog.Directives {
		if d == nil || d.Name != "include" {
			continue
		}
		for name, value := range includedMacros(d.Text) {
			if e, err := parseDefine(value); err == nil {
				setSpans(reflect.ValueOf(e), d.Span)
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
		setSpans(reflect.ValueOf(e), d.Span)
		x.defines[d.DefineName] = e
	}
	for _, m := range prog.Macros {
		if m == nil {
			continue
		}
		if _, dup := x.macros[m.Name]; dup {
			x.errs = append(x.errs, lang.Errorf(m.Span, "Macro %s is defined twice", m.Name))
			continue
		}
		x.macros[m.Name] = m
	}
	if len(x.macros) == 0 && len(x.defines) == 0 {
		return x.errs
	}
	for _, p := range prog.Probes {
		if p == nil {
			continue
		}
		if p.Predicate != nil {
			p.Predicate = x.expr(p.Predicate)
		}
		x.walk(reflect.ValueOf(p.Body))
	}
	return x.errs
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

// walk visits every field of an AST value: statement lists get their
// macro statements spliced, expressions are expanded.
func (x *expander) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			x.walk(v.Elem())
		}
	case reflect.Interface:
		if !v.IsNil() {
			x.walk(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(lang.Span{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() {
				continue
			}
			switch {
			case f.Type() == reflect.TypeOf([]lang.Stmt(nil)):
				f.Set(reflect.ValueOf(x.stmts(f.Interface().([]lang.Stmt))))
			case f.Type() == exprType:
				if !f.IsNil() {
					f.Set(reflect.ValueOf(x.expr(f.Interface().(lang.Expr))))
				}
			case f.Type() == reflect.TypeOf([]lang.Expr(nil)):
				for j := 0; j < f.Len(); j++ {
					if e := f.Index(j); !e.IsNil() {
						e.Set(reflect.ValueOf(x.expr(e.Interface().(lang.Expr))))
					}
				}
			default:
				x.walk(f)
			}
		}
	}
}

// stmts expands a statement list, splicing macro statements.
func (x *expander) stmts(list []lang.Stmt) []lang.Stmt {
	var out []lang.Stmt
	for _, s := range list {
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
					x.errs = append(x.errs, lang.Errorf(span, "Macro %s does not end with an expression, so it has no value", m.Name))
				}
				out = append(out, rest...)
				continue
			}
		}
		saved := x.hoist
		var h []lang.Stmt
		switch s.(type) {
		case *lang.ExprStmt, *lang.AssignStmt, *lang.LetStmt, *lang.IfStmt:
			x.hoist = &h
		default:
			x.hoist = nil
		}
		x.walk(reflect.ValueOf(s))
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
	switch e := e.(type) {
	case *lang.Call:
		if m := x.macros[e.Name]; m != nil {
			return m, e.Args, e.Span, true
		}
	case *lang.Ident:
		if m := x.macros[e.Name]; m != nil && len(m.Params) == 0 {
			return m, nil, e.Span, true
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
		if d, ok := x.defines[id.Name]; ok {
			if _, isMacro := x.macros[id.Name]; !isMacro {
				return cloneExpr(d)
			}
		}
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
		if len(body) > 0 || last == nil {
			x.errs = append(x.errs, lang.Errorf(span, "Macro %s has statements: it cannot be used inside this expression yet", m.Name))
			return e
		}
		return last
	}
	x.walk(reflect.ValueOf(e))
	return e
}

// expand instantiates macro m with args: its statements and its final
// expression (nil when the body does not end with one). Both nil on error.
func (x *expander) expand(m *lang.Macro, args []lang.Expr, at lang.Span) ([]lang.Stmt, lang.Expr) {
	if len(args) != len(m.Params) {
		x.errs = append(x.errs, lang.Errorf(at, "Macro %s expects %d arguments, %d given", m.Name, len(m.Params), len(args)))
		return nil, nil
	}
	if x.tooDeep {
		return nil, nil
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
			vars[p] = args[i]
		case strings.HasPrefix(p, "@"):
			me, ok := args[i].(*lang.MapExpr)
			if !ok || len(me.Keys) != 0 {
				x.errs = append(x.errs, lang.Errorf(args[i].Pos(), "Macro %s expects a map for %s", m.Name, p))
				return nil, nil
			}
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
	body := cloneValue(reflect.ValueOf(m.Body)).Interface().(*lang.Block)
	body = substitute(body, vars, maps, idents, suffix)
	stmts := body.Stmts
	var last lang.Expr
	if n := len(stmts); n > 0 {
		if es, ok := stmts[n-1].(*lang.ExprStmt); ok && es.X != nil && !isVoidCall(es.X) {
			last, stmts = es.X, stmts[:n-1]
		}
	}
	x.depth++
	stmts = x.stmts(stmts)
	if last != nil {
		last = x.expr(last)
	}
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
// own variables.
func substitute(b *lang.Block, vars map[string]lang.Expr, maps map[string]string, idents map[string]lang.Expr, suffix string) *lang.Block {
	var sub func(v reflect.Value)
	replace := func(e lang.Expr) lang.Expr {
		switch e := e.(type) {
		case *lang.Var:
			if a, ok := vars[e.Name]; ok {
				return cloneExpr(a)
			}
		case *lang.Ident:
			if a, ok := idents[e.Name]; ok {
				return cloneExpr(a)
			}
		}
		sub(reflect.ValueOf(e))
		return e
	}
	sub = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			switch n := v.Interface().(type) {
			case *lang.Var:
				if _, isParam := vars[n.Name]; !isParam {
					n.Name += suffix
				}
				return
			case *lang.MapExpr:
				if to, ok := maps[n.Name]; ok {
					n.Name = to
				}
			}
			sub(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				sub(v.Elem())
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(lang.Span{}) {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				f := v.Field(i)
				if !v.Type().Field(i).IsExported() {
					continue
				}
				switch {
				case f.Type() == exprType:
					if !f.IsNil() {
						f.Set(reflect.ValueOf(replace(f.Interface().(lang.Expr))))
					}
				case f.Type() == reflect.TypeOf([]lang.Expr(nil)):
					for j := 0; j < f.Len(); j++ {
						if e := f.Index(j); !e.IsNil() {
							e.Set(reflect.ValueOf(replace(e.Interface().(lang.Expr))))
						}
					}
				default:
					sub(f)
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				sub(v.Index(i))
			}
		}
	}
	sub(reflect.ValueOf(b))
	return b
}

func cloneExpr(e lang.Expr) lang.Expr {
	return cloneValue(reflect.ValueOf(e)).Interface().(lang.Expr)
}

// cloneValue deep-copies an AST value (exported fields; unexported ones,
// such as types, are copied shallowly and are unset before checking).
func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(v.Elem())
		cloneFields(n.Elem())
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := cloneValue(v.Elem())
		n := reflect.New(v.Type()).Elem()
		n.Set(c)
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(cloneValue(v.Index(i)))
		}
		return n
	}
	return v
}

func cloneFields(s reflect.Value) {
	if s.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < s.NumField(); i++ {
		if !s.Type().Field(i).IsExported() {
			continue
		}
		f := s.Field(i)
		switch f.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice:
			f.Set(cloneValue(f))
		case reflect.Struct:
			cloneFields(f)
		}
	}
}

// setSpans sets every span of an AST value to at.
func setSpans(v reflect.Value, at lang.Span) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			setSpans(v.Elem(), at)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			setSpans(v.Index(i), at)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(lang.Span{}) {
			if v.CanSet() {
				v.Set(reflect.ValueOf(at))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				setSpans(v.Field(i), at)
			}
		}
	}
}

// unmangleMessages gives variables renamed by macro expansion
// (`$x_getcwd_2`) their written names back in diagnostics.
func unmangleMessages(prog *lang.Program, diags []*lang.Diagnostic) {
	if len(prog.Macros) == 0 || len(diags) == 0 {
		return
	}
	names := make([]string, 0, len(prog.Macros))
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
