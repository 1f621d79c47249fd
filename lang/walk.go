package lang

// The one description of the AST's shape: EditChildren knows, for every
// node type, which children it has. TooDeep (the depth bound), Clone and
// every rewriting pass (macro expansion) are built on it. Inspect, which
// only reads, has its own switch (inspectChildren) so that it writes
// nothing; a new node type or field is added to both, and
// TestInspectMatchesEditChildren fails until it is.

// Edit says what EditChildren does with each kind of child. A nil function
// leaves the children of its kind alone.
type Edit struct {
	// Expr is called for each expression child (operands, arguments,
	// keys, conditions, values); its result takes the child's place.
	Expr func(Expr) Expr
	// Stmts is called for each statement list (a block's statements); its
	// result replaces the list.
	Stmts func([]Stmt) []Stmt
	// Node is called for each other child: probes, attach points, blocks,
	// an else branch, declared variables, written types, the config block,
	// macros, map declarations and directives. Its result takes the
	// child's place and must have the same dynamic type.
	Node func(Node) Node
}

// EditChildren calls e's functions on the direct children of n, in source
// order within each node (a Program lists directives, config, C
// definitions, map declarations, macros and then probes), and stores what
// they return. Nil children are skipped. It does not descend: a function
// that wants the grandchildren calls EditChildren (or Inspect) itself.
func EditChildren(n Node, e Edit) {
	ex := func(x *Expr) {
		if e.Expr != nil && *x != nil {
			*x = e.Expr(*x)
		}
	}
	exs := func(xs []Expr) {
		for i := range xs {
			ex(&xs[i])
		}
	}
	blk := func(b **Block) {
		if e.Node != nil && *b != nil {
			*b = e.Node(*b).(*Block)
		}
	}
	node := func(c Node) Node {
		if e.Node == nil {
			return c
		}
		return e.Node(c)
	}
	switch n := n.(type) {
	case *Program:
		for i, d := range n.Directives {
			if d != nil {
				n.Directives[i] = node(d).(*Directive)
			}
		}
		if n.Config != nil {
			n.Config = node(n.Config).(*ConfigBlock)
		}
		for i, c := range n.CDefs {
			if c != nil {
				n.CDefs[i] = node(c).(*CDefinition)
			}
		}
		for i, m := range n.MapDecls {
			if m != nil {
				n.MapDecls[i] = node(m).(*MapDecl)
			}
		}
		for i, m := range n.Macros {
			if m != nil {
				n.Macros[i] = node(m).(*Macro)
			}
		}
		for i, p := range n.Probes {
			if p != nil {
				n.Probes[i] = node(p).(*Probe)
			}
		}
	case *ConfigBlock:
		for i, it := range n.Items {
			if it != nil {
				n.Items[i] = node(it).(*ConfigItem)
			}
		}
	case *ConfigItem:
		ex(&n.Value)
	case *Macro:
		blk(&n.Body)
	case *Probe:
		for i, a := range n.AttachPoints {
			if a != nil {
				n.AttachPoints[i] = node(a).(*AttachPoint)
			}
		}
		ex(&n.Predicate)
		blk(&n.Body)
	case *Block:
		if e.Stmts != nil {
			n.Stmts = e.Stmts(n.Stmts)
		}
	case *ExprStmt:
		ex(&n.X)
	case *AssignStmt:
		ex(&n.Target)
		ex(&n.Value)
	case *LetStmt:
		if n.Var != nil {
			n.Var = node(n.Var).(*Var)
		}
		if n.Type != nil {
			n.Type = node(n.Type).(*TypeSpec)
		}
		ex(&n.Value)
	case *IfStmt:
		ex(&n.Cond)
		blk(&n.Then)
		if n.Else != nil {
			n.Else = node(n.Else).(Stmt)
		}
	case *WhileStmt:
		ex(&n.Cond)
		blk(&n.Body)
	case *ForMapStmt:
		if n.Var != nil {
			n.Var = node(n.Var).(*Var)
		}
		if n.Map != nil {
			n.Map = node(n.Map).(*MapExpr)
		}
		blk(&n.Body)
	case *ForRangeStmt:
		if n.Var != nil {
			n.Var = node(n.Var).(*Var)
		}
		ex(&n.Start)
		ex(&n.End)
		blk(&n.Body)
	case *UnrollStmt:
		ex(&n.Count)
		blk(&n.Body)
	case *JumpStmt:
		ex(&n.Value)
	case *BlockStmt:
		blk(&n.Body)
	case *Ident:
		ex(&n.Expand)
	case *MapExpr:
		exs(n.Keys)
	case *Call:
		exs(n.Args)
	case *Unary:
		ex(&n.X)
	case *Binary:
		ex(&n.X)
		ex(&n.Y)
	case *Ternary:
		ex(&n.Cond)
		ex(&n.Then)
		ex(&n.Else)
	case *FieldAccess:
		ex(&n.X)
		ex(&n.Expand)
	case *Index:
		ex(&n.X)
		ex(&n.Index)
	case *Cast:
		if n.To != nil {
			n.To = node(n.To).(*TypeSpec)
		}
		ex(&n.X)
	case *Tuple:
		exs(n.Elems)
	case *Sizeof:
		if n.TypeArg != nil {
			n.TypeArg = node(n.TypeArg).(*TypeSpec)
		}
		ex(&n.X)
	case *Offsetof:
		if n.TypeArg != nil {
			n.TypeArg = node(n.TypeArg).(*TypeSpec)
		}
		ex(&n.X)
	case *TypeSpec:
		ex(&n.Of)
	case *BlockExpr:
		blk(&n.Body)
		ex(&n.Value)
	case *TypeExpr:
		if n.Spec != nil {
			n.Spec = node(n.Spec).(*TypeSpec)
		}
	}
	// Leaves: Directive, CDefinition, MapDecl, AttachPoint, a TypeSpec
	// without Of, IntLit, StrLit, BoolLit, Positional, Var.
}

// Inspect traverses the tree rooted at n depth first, as go/ast.Inspect
// does: it calls f(n); if that returns true, it inspects each child of n
// (in EditChildren's order), then calls f(nil). The tree's depth is bounded
// by the parser and the checker (MaxDepth), so the recursion is.
//
// It only reads the tree: EditChildren would store every child back (a
// write barrier per child while the collector runs) and call through three
// closures per child, and the checker and code generation inspect the whole
// program several times. TestInspectMatchesEditChildren keeps the two
// descriptions of the tree's shape in step.
func Inspect(n Node, f func(Node) bool) {
	if n != nil {
		inspect(n, f)
	}
}

func inspect(n Node, f func(Node) bool) {
	if !f(n) {
		return
	}
	inspectChildren(n, f)
	f(nil)
}

// inspectChildren visits n's direct children, nil ones skipped, in the
// order EditChildren does.
func inspectChildren(n Node, f func(Node) bool) {
	ex := func(x Expr) {
		if x != nil {
			inspect(x, f)
		}
	}
	switch n := n.(type) {
	case *Program:
		for _, d := range n.Directives {
			if d != nil {
				inspect(d, f)
			}
		}
		if n.Config != nil {
			inspect(n.Config, f)
		}
		for _, c := range n.CDefs {
			if c != nil {
				inspect(c, f)
			}
		}
		for _, m := range n.MapDecls {
			if m != nil {
				inspect(m, f)
			}
		}
		for _, m := range n.Macros {
			if m != nil {
				inspect(m, f)
			}
		}
		for _, p := range n.Probes {
			if p != nil {
				inspect(p, f)
			}
		}
	case *ConfigBlock:
		for _, it := range n.Items {
			if it != nil {
				inspect(it, f)
			}
		}
	case *ConfigItem:
		ex(n.Value)
	case *Macro:
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *Probe:
		for _, a := range n.AttachPoints {
			if a != nil {
				inspect(a, f)
			}
		}
		ex(n.Predicate)
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *Block:
		for _, s := range n.Stmts {
			if s != nil {
				inspect(s, f)
			}
		}
	case *ExprStmt:
		ex(n.X)
	case *AssignStmt:
		ex(n.Target)
		ex(n.Value)
	case *LetStmt:
		if n.Var != nil {
			inspect(n.Var, f)
		}
		if n.Type != nil {
			inspect(n.Type, f)
		}
		ex(n.Value)
	case *IfStmt:
		ex(n.Cond)
		if n.Then != nil {
			inspect(n.Then, f)
		}
		if n.Else != nil {
			inspect(n.Else, f)
		}
	case *WhileStmt:
		ex(n.Cond)
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *ForMapStmt:
		if n.Var != nil {
			inspect(n.Var, f)
		}
		if n.Map != nil {
			inspect(n.Map, f)
		}
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *ForRangeStmt:
		if n.Var != nil {
			inspect(n.Var, f)
		}
		ex(n.Start)
		ex(n.End)
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *UnrollStmt:
		ex(n.Count)
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *JumpStmt:
		ex(n.Value)
	case *BlockStmt:
		if n.Body != nil {
			inspect(n.Body, f)
		}
	case *Ident:
		ex(n.Expand)
	case *MapExpr:
		for _, k := range n.Keys {
			ex(k)
		}
	case *Call:
		for _, a := range n.Args {
			ex(a)
		}
	case *Unary:
		ex(n.X)
	case *Binary:
		ex(n.X)
		ex(n.Y)
	case *Ternary:
		ex(n.Cond)
		ex(n.Then)
		ex(n.Else)
	case *FieldAccess:
		ex(n.X)
		ex(n.Expand)
	case *Index:
		ex(n.X)
		ex(n.Index)
	case *Cast:
		if n.To != nil {
			inspect(n.To, f)
		}
		ex(n.X)
	case *Tuple:
		for _, x := range n.Elems {
			ex(x)
		}
	case *Sizeof:
		if n.TypeArg != nil {
			inspect(n.TypeArg, f)
		}
		ex(n.X)
	case *Offsetof:
		if n.TypeArg != nil {
			inspect(n.TypeArg, f)
		}
		ex(n.X)
	case *TypeSpec:
		ex(n.Of)
	case *BlockExpr:
		if n.Body != nil {
			inspect(n.Body, f)
		}
		ex(n.Value)
	case *TypeExpr:
		if n.Spec != nil {
			inspect(n.Spec, f)
		}
	}
}

// MaxDepth bounds how deeply a script's tree may nest: statements in
// blocks, expressions in expressions, and each operator of a chain such as
// `1 + 2 + ... + n`, which nests one level per operator. The parser and
// the checker (after macro expansion) refuse deeper trees with a
// positioned error, so that every pass may recurse over the tree: a pass
// recursing once per level uses at most a few hundred megabytes of stack
// at this depth (Go's limit is 1 GB; 500,000 levels overflowed it). A
// predicate of 50,000 `&&` terms (issue 12) is within it.
const MaxDepth = 100000

// TooDeep returns a node that lies more than max levels below n (n is level
// 1), preferring the first in source order, or nil when the tree is within
// the bound. It uses an explicit stack, so it is safe on any tree, and
// visits each node once.
func TooDeep(n Node, max int) Node {
	if n == nil {
		return nil
	}
	type item struct {
		n     Node
		depth int
	}
	stack := []item{{n, 1}}
	var kids []Node
	// The children as EditChildren has them, read without storing them
	// back (inspectChildren; returning false stops at the child).
	collect := func(c Node) bool { kids = append(kids, c); return false }
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.depth > max {
			return it.n
		}
		kids = kids[:0]
		inspectChildren(it.n, collect)
		// Pushed in reverse, so that the first child is visited first.
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, item{kids[i], it.depth + 1})
		}
	}
	return nil
}

// DepthError is the diagnostic for a tree deeper than MaxDepth, placed at
// the start of the node TooDeep found.
func DepthError(n Node) *Diagnostic {
	start := n.Pos().Start
	end := start
	end.Offset++
	end.Col++
	d := Errorf(Span{Start: start, End: end},
		"the script nests too deeply here: more than %d levels of blocks and expressions (a chain such as a + b + c nests one level per operator)", MaxDepth)
	d.Hint = "split a long expression into parts held in variables: $a = ...; $a = $a + ...;"
	return d
}

// Clone returns a deep copy of the tree under n: every node and every list
// is new. What the checker fills in (types, symbols, resolved members) is
// shared, not copied: clone before checking.
func Clone(n Node) Node {
	if n == nil {
		return nil
	}
	var edit Edit
	edit = Edit{
		Expr: func(e Expr) Expr { return cloneNode(e, edit).(Expr) },
		Stmts: func(list []Stmt) []Stmt {
			if list == nil {
				return nil
			}
			out := make([]Stmt, len(list))
			for i, s := range list {
				if s != nil {
					out[i] = cloneNode(s, edit).(Stmt)
				}
			}
			return out
		},
		Node: func(c Node) Node { return cloneNode(c, edit) },
	}
	return cloneNode(n, edit)
}

func cloneNode(n Node, edit Edit) Node {
	c := shallowCopy(n)
	EditChildren(c, edit)
	return c
}

// shallowCopy copies one node and the lists it holds (EditChildren stores
// the children's copies into them).
func shallowCopy(n Node) Node {
	switch n := n.(type) {
	case *Program:
		c := *n
		c.Directives = clone(n.Directives)
		c.CDefs = clone(n.CDefs)
		c.Macros = clone(n.Macros)
		c.MapDecls = clone(n.MapDecls)
		c.Probes = clone(n.Probes)
		return &c
	case *Directive:
		c := *n
		return &c
	case *ConfigBlock:
		c := *n
		c.Items = clone(n.Items)
		return &c
	case *ConfigItem:
		c := *n
		return &c
	case *CDefinition:
		c := *n
		return &c
	case *Macro:
		c := *n
		c.Params = clone(n.Params)
		c.ParamSpans = clone(n.ParamSpans)
		return &c
	case *MapDecl:
		c := *n
		return &c
	case *Probe:
		c := *n
		c.AttachPoints = clone(n.AttachPoints)
		return &c
	case *AttachPoint:
		c := *n
		c.Parts = clone(n.Parts)
		return &c
	case *Block:
		c := *n
		return &c
	case *ExprStmt:
		c := *n
		return &c
	case *AssignStmt:
		c := *n
		return &c
	case *LetStmt:
		c := *n
		return &c
	case *IfStmt:
		c := *n
		return &c
	case *WhileStmt:
		c := *n
		return &c
	case *ForMapStmt:
		c := *n
		return &c
	case *ForRangeStmt:
		c := *n
		return &c
	case *UnrollStmt:
		c := *n
		return &c
	case *JumpStmt:
		c := *n
		return &c
	case *BlockStmt:
		c := *n
		return &c
	case *IntLit:
		c := *n
		return &c
	case *StrLit:
		c := *n
		return &c
	case *BoolLit:
		c := *n
		return &c
	case *Ident:
		c := *n
		return &c
	case *Positional:
		c := *n
		return &c
	case *Var:
		c := *n
		return &c
	case *MapExpr:
		c := *n
		c.Keys = clone(n.Keys)
		return &c
	case *Call:
		c := *n
		c.Args = clone(n.Args)
		return &c
	case *Unary:
		c := *n
		return &c
	case *Binary:
		c := *n
		return &c
	case *Ternary:
		c := *n
		return &c
	case *FieldAccess:
		c := *n
		return &c
	case *Index:
		c := *n
		return &c
	case *Cast:
		c := *n
		return &c
	case *Tuple:
		c := *n
		c.Elems = clone(n.Elems)
		c.Names = clone(n.Names)
		return &c
	case *Sizeof:
		c := *n
		return &c
	case *Offsetof:
		c := *n
		c.Fields = clone(n.Fields)
		return &c
	case *TypeSpec:
		c := *n
		return &c
	case *BlockExpr:
		c := *n
		return &c
	case *TypeExpr:
		c := *n
		return &c
	case *Wildcard:
		c := *n
		return &c
	}
	panic("lang.Clone: unknown node type")
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// Size counts the nodes of the tree under n.
func Size(n Node) int {
	count := 0
	Inspect(n, func(x Node) bool {
		if x != nil {
			count++
		}
		return true
	})
	return count
}
