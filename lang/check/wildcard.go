package check

import (
	"fmt"
	"strconv"

	"github.com/gobpftrace/gobpftrace/lang"
)

// expandWildcardDeletes rewrites every `delete(@m[k1, *, ...])` statement,
// whose `*` keys match any value, into a loop over the map that deletes
// each key whose other fields equal the ones given, in the kernel (as
// bpftrace's delete with wildcards does with bpf_for_each_map_elem):
//
//	for ($__wildcard_N : @m) {
//		if ($__wildcard_N.0.0 == k1 && ...) { delete(@m, $__wildcard_N.0); }
//	}
//
// A single-key map's key is the element's .0 itself. The checker then
// types the loop as any other: a fixed field of another type than the
// key's, or a key field the map does not have, is reported at that field.
func expandWildcardDeletes(prog *lang.Program) map[*lang.ForMapStmt]wildcardUse {
	uses := map[*lang.ForMapStmt]wildcardUse{}
	n := 0
	lang.Inspect(prog, func(node lang.Node) bool {
		b, ok := node.(*lang.Block)
		if !ok {
			return true
		}
		for i, s := range b.Stmts {
			m, at := wildcardDelete(s)
			if m == nil {
				continue
			}
			n++
			loop := wildcardLoop(m, at, fmt.Sprintf("$__wildcard_%d", n))
			uses[loop] = wildcardUse{keys: len(m.Keys), at: at}
			b.Stmts[i] = loop
		}
		return true
	})
	return uses
}

// wildcardUse is what the checker needs of a delete() with * keys to
// report a map whose keys do not match it: how many fields it names and
// where it stands.
type wildcardUse struct {
	keys int
	at   lang.Span
}

// wildcardKeysMatch reports whether a delete() with * keys fits the map
// whose loop it became, reporting at the delete() when not (instead of
// errors about the loop the user did not write).
func (c *checker) wildcardKeysMatch(s *lang.ForMapStmt, sym *lang.MapSym) bool {
	use, ok := c.wildcards[s]
	if !ok || sym.Value.Kind == lang.KNone {
		return true
	}
	if sym.Key == nil {
		c.errorf(use.at, "delete() with * in a key needs a map with keys: %s has none", sym.Name)
		c.hintf("delete(%s) deletes its value", sym.Name)
		return false
	}
	n := 1
	if sym.Key.Kind == lang.KTuple {
		n = len(sym.Key.Elems)
	}
	if n != use.keys {
		c.errorf(use.at, "delete() names %d key fields of %s, whose keys have %d: %s", use.keys, sym.Name, n, sym.Key)
		c.hintf("give one value or * for each field of the key")
		return false
	}
	return true
}

// wildcardDelete returns the map of a `delete(@m[..., *, ...])` statement
// and the statement's span, or nil.
func wildcardDelete(s lang.Stmt) (*lang.MapExpr, lang.Span) {
	es, ok := s.(*lang.ExprStmt)
	if !ok {
		return nil, lang.Span{}
	}
	call, ok := es.X.(*lang.Call)
	if !ok || call.Name != "delete" || len(call.Args) != 1 {
		return nil, lang.Span{}
	}
	m, ok := call.Args[0].(*lang.MapExpr)
	if !ok {
		return nil, lang.Span{}
	}
	for _, k := range m.Keys {
		if _, wild := k.(*lang.Wildcard); wild {
			return m, call.Span
		}
	}
	return nil, lang.Span{}
}

func wildcardLoop(m *lang.MapExpr, at lang.Span, name string) *lang.ForMapStmt {
	v := func() *lang.Var { return &lang.Var{Span: at, Name: name} }
	// The element's key: $kv.0.
	key := func() lang.Expr { return &lang.FieldAccess{Span: at, X: v(), Field: "0"} }
	var cond lang.Expr
	for i, k := range m.Keys {
		if _, wild := k.(*lang.Wildcard); wild {
			continue
		}
		field := key()
		if len(m.Keys) > 1 {
			field = &lang.FieldAccess{Span: k.Pos(), X: field, Field: strconv.Itoa(i)}
		}
		eq := &lang.Binary{Span: k.Pos(), Op: "==", X: field, Y: k}
		if cond == nil {
			cond = eq
		} else {
			cond = &lang.Binary{Span: at, Op: "&&", X: cond, Y: eq}
		}
	}
	del := &lang.ExprStmt{Span: at, X: &lang.Call{Span: at, Name: "delete", Args: []lang.Expr{
		&lang.MapExpr{Span: m.Span, Name: m.Name}, key(),
	}}}
	body := &lang.Block{Span: at, Stmts: []lang.Stmt{del}}
	if cond != nil {
		body = &lang.Block{Span: at, Stmts: []lang.Stmt{&lang.IfStmt{Span: at, Cond: cond, Then: body}}}
	}
	return &lang.ForMapStmt{Span: at, Var: v(), Map: &lang.MapExpr{Span: m.Span, Name: m.Name}, Body: body}
}
