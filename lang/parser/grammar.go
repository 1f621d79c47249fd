package parser

import "github.com/alecthomas/participle/v2/lexer"

//go:generate go test -run ^TestFastParseGenerated$ -update-fastparse

// The grammar, written once: participle's struct tags, which describe
// syntax errors (errors.go), and from which `go generate` writes the
// production parser, fastparse_gen.go (the generator is
// fastparse_gen_test.go; TestFastParseGenerated fails when the generated
// file is stale). These structs mirror the syntax; convert.go turns them
// into the lang AST. Every struct records its tokens, from which spans are
// computed (no Pos: it repeated the first token's, 40 bytes a node, on
// every node of the tree). TestFastParseMatchesParticiple
// and FuzzFastParse check that the generated parser and participle build
// the same trees.

type node struct {
	Tokens []lexer.Token
}

type gProgram struct {
	node
	Items []*gItem `parser:"@@*"`
}

type gItem struct {
	node
	Directive *string   `parser:"@Directive"`
	CDef      *string   `parser:"| @CDef"`
	Config    *gConfig  `parser:"| @@"`
	Macro     *gMacro   `parser:"| @@"`
	MapDecl   *gMapDecl `parser:"| @@"`
	Probe     *gProbe   `parser:"| @@"`
	Semi      *string   `parser:"| @\";\""`
}

type gConfig struct {
	node
	Items []*gConfigItem `parser:"\"config\" \"=\" \"{\" ( @@ ( (?= \";\" (Ident | Keyword | TypeName)) \";\" @@ )* \";\"? )? \"}\""`
}

type gConfigItem struct {
	node
	Name  string        `parser:"@(Ident | Keyword | TypeName) \"=\""`
	Value *gConfigValue `parser:"@@"`
}

type gConfigValue struct {
	node
	Int   *string `parser:"@Int"`
	Str   *string `parser:"| @String"`
	Bool  *string `parser:"| @(\"true\" | \"false\")"`
	Ident *string `parser:"| @(Ident | TypeName)"`
}

type gMacro struct {
	node
	Name   string   `parser:"\"macro\" @Ident \"(\""`
	Params []string `parser:"( @(Var | Map | Ident) ( \",\" @(Var | Map | Ident) )* )? \")\""`
	Body   *gBlock  `parser:"@@"`
}

type gMapDecl struct {
	node
	Name string `parser:"\"let\" @Map \"=\""`
	Kind string `parser:"@Ident \"(\""`
	Size string `parser:"@Int \")\" \";\"?"`
}

type gProbe struct {
	node
	Attach    []*gAttach `parser:"@@ ( \",\" @@ )*"`
	Predicate *gExpr     `parser:"( PredOpen @@ PredClose )?"`
	Body      *gBlock    `parser:"@@"`
}

type gAttach struct {
	node
	Raw string `parser:"@Attach"`
}

type gBlock struct {
	node
	Open  string   `parser:"@( \"{\" | AngleOpen )"`
	Stmts []*gStmt `parser:"@@*"`
	Close string   `parser:"@( \"}\" | AngleClose )"`
}

// gStmt is one statement with the ';' that follow it. Simple statements
// need a ';' unless they end the block; convert.go checks that.
type gStmt struct {
	node
	// Expression statements and assignments are the most frequent, and
	// fail fast on the keywords that start the others (after one look at
	// '{').
	// A statement starting with '{' is a block, not a block expression.
	// An `if` at the start of a statement is the statement, not an if
	// expression (which is a primary expression).
	Block  *gBlock  `parser:"(  (?= ( \"{\" | AngleOpen ) ) @@"`
	If     *gIf     `parser:"| @@"`
	Expr   *gSimple `parser:"| @@"`
	While  *gWhile  `parser:"| @@"`
	For    *gFor    `parser:"| @@"`
	Unroll *gUnroll `parser:"| @@"`
	Let    *gLet    `parser:"| @@"`
	Jump   *gJump   `parser:"| @@"`
	Empty  bool     `parser:"| @\";\" )"`
	Semis  []string `parser:"@\";\"*"`
}

// gIf is `if (cond) {}` or, as bpftrace also accepts, `if cond {}`: the
// condition is one expression either way (a parenthesized one in the
// first form), so that the parser never parses a condition twice.
type gIf struct {
	node
	Cond *gExpr  `parser:"\"if\" @@"`
	Then *gBlock `parser:"@@"`
	Else *gElse  `parser:"( \"else\" @@ )?"`
}

type gElse struct {
	node
	If    *gIf    `parser:"@@"`
	Block *gBlock `parser:"| @@"`
}

type gWhile struct {
	node
	Cond *gExpr  `parser:"\"while\" @@"`
	Body *gBlock `parser:"@@"`
}

// gFor is `for ($x : ...) {}` or, as bpftrace also accepts, without the
// parentheses: `for $x : a..b {}`.
type gFor struct {
	node
	Paren *gForHead `parser:"\"for\" ( \"(\" @@ \")\""`
	Bare  *gForHead `parser:"| @@ )"`
	Body  *gBlock   `parser:"@@"`
}

type gForHead struct {
	node
	Var   string  `parser:"@Var \":\""`
	Map   *string `parser:"( (?= Map ( \")\" | \"{\" | AngleOpen ) ) @Map"`
	Range *gRange `parser:"| @@ )"`
}

type gRange struct {
	node
	Start *gExpr `parser:"@@ \"..\""`
	End   *gExpr `parser:"@@"`
}

type gUnroll struct {
	node
	Count *gExpr  `parser:"\"unroll\" \"(\" @@ \")\""`
	Body  *gBlock `parser:"@@"`
}

type gLet struct {
	node
	Var   string    `parser:"\"let\" @Var"`
	Type  *gLetType `parser:"( \":\" @@ )?"`
	Value *gExpr    `parser:"( \"=\" @@ )?"`
}

type gJump struct {
	node
	Kind  string `parser:"@(\"break\" | \"continue\" | \"return\")"`
	Value *gExpr `parser:"@@?"`
}

// gSimple is an expression statement or an assignment; the converter
// checks that an assigned expression is a variable or a map.
type gSimple struct {
	node
	X     *gExpr  `parser:"@@"`
	Op    *string `parser:"( @AssignOp"`
	Value *gExpr  `parser:"  @@ )?"`
}

// Types.

// gType is a type where a cast may stand: a builtin type name, a
// struct/union/enum, an identifier followed by '*', or a plain identifier
// when `)` and then an operand follow, as in `(pid_t)$x` (so `(x)` and
// `(x) - 1` stay parenthesized expressions).
type gType struct {
	node
	Typeof   *gExpr     `parser:"( \"typeof\" \"(\" @@ \")\""`
	Tagged   *gTagged   `parser:"| @@"`
	Builtin  *string    `parser:"| @TypeName"`
	PtrIdent *gPtrIdent `parser:"| (?= Ident \"*\"+ ( \"[\" Int \"]\" )? ( \")\" | \",\" ) ) @@"`
	Plain    *string    `parser:"| (?= Ident \")\" (Var | Map | Int | String | Ident | Positional | \"(\" | \"true\" | \"false\" | \"sizeof\" | \"offsetof\")) @Ident )"`
	Stars    []string   `parser:"@\"*\"*"`
	Array    *string    `parser:"( \"[\" @Int \"]\" )?"`
}

// gPtrIdent is a type named by a plain identifier, which needs a '*'.
type gPtrIdent struct {
	node
	Name  string   `parser:"@Ident"`
	Stars []string `parser:"@\"*\"+"`
}

type gTagged struct {
	node
	Tag  string `parser:"@(\"struct\" | \"union\" | \"enum\")"`
	Name string `parser:"@(Ident | TypeName)"`
}

// gLetType is a declared variable's type, where any identifier may name one.
type gLetType struct {
	node
	Typeof *gExpr   `parser:"( \"typeof\" \"(\" @@ \")\""`
	Tagged *gTagged `parser:"| @@"`
	Name   *string  `parser:"| @(TypeName | Ident) )"`
	Stars  []string `parser:"@\"*\"*"`
	Array  *string  `parser:"( \"[\" @Int \"]\" )?"`
}

// Expressions, one level per precedence, loosest first.

type gExpr struct {
	node
	Cond *gBinary   `parser:"@@"`
	Tern *gTernTail `parser:"@@?"`
}

type gTernTail struct {
	node
	Then *gExpr `parser:"\"?\" @@?"`
	Else *gExpr `parser:"\":\" @@"`
}

// gBinary is a flat chain of operands and binary operators; the converter
// applies C precedence and associativity (one grammar level instead of
// ten keeps participle fast).
type gBinary struct {
	node
	X    *gUnary   `parser:"@@"`
	Rest []*gBinOp `parser:"@@*"`
}

type gBinOp struct {
	node
	Op string  `parser:"@BinOp"`
	Y  *gUnary `parser:"@@"`
}

type gUnary struct {
	node
	Op      *string   `parser:"(  @(PrefixOp | \"-\" | \"*\" | \"&\")"`
	X       *gUnary   `parser:"@@"`
	Cast    *gCast    `parser:"| (?= \"(\" ( \"typeof\" | \"struct\" | \"union\" | \"enum\" | TypeName | Ident ( \"*\"+ ( \"[\" Int \"]\" )? \")\" | \")\" (Var | Map | Int | String | Ident | Positional | \"(\" | \"true\" | \"false\" | \"sizeof\" | \"offsetof\") ) ) ) @@"`
	Postfix *gPostfix `parser:"| @@ )"`
}

type gCast struct {
	node
	To *gType  `parser:"\"(\" @@ \")\""`
	X  *gUnary `parser:"@@"`
}

type gPostfix struct {
	node
	X   *gPrimary  `parser:"@@"`
	Ops []*gPostOp `parser:"@@*"`
}

type gPostOp struct {
	node
	Field  *string `parser:"(  \".\" @(Ident | Keyword | TypeName | Int)"`
	Arrow  *string `parser:"| \"->\" @(Ident | Keyword | TypeName)"`
	Index  *gExpr  `parser:"| \"[\" @@ \"]\""`
	IncDec *string `parser:"| @(\"++\" | \"--\") )"`
}

type gPrimary struct {
	node
	// Most frequent first: participle tries alternatives in order.
	Var         *string       `parser:"(  @Var"`
	Map         *gMap         `parser:"| @@"`
	ContainerOf *gContainerOf `parser:"| (?= \"container_of\" \"(\") @@"`
	Call        *gCall        `parser:"| (?= Ident \"(\") @@"`
	Ident       *string       `parser:"| @Ident"`
	Int         *string       `parser:"| @Int"`
	Str         *string       `parser:"| @String"`
	Positional  *string       `parser:"| @Positional"`
	Paren       *gParen       `parser:"| @@"`
	Bool        *string       `parser:"| @(\"true\" | \"false\")"`
	Sizeof      *gSizeof      `parser:"| @@"`
	Offsetof    *gOffsetof    `parser:"| @@"`
	BlockExpr   *gBlock       `parser:"| (?= \"{\") @@"`
	IfExpr      *gIf          `parser:"| @@ )"`
}

type gSizeof struct {
	node
	Type *gType `parser:"\"sizeof\" \"(\" ( @@"`
	X    *gExpr `parser:"| @@ ) \")\""`
}

type gOffsetof struct {
	node
	Type   *gType   `parser:"\"offsetof\" \"(\" ( @@"`
	X      *gExpr   `parser:"| @@ ) \",\""`
	Fields []string `parser:"@(Ident | Keyword | TypeName) ( \".\" @(Ident | Keyword | TypeName) )* \")\""`
}

// gContainerOf is container_of(ptr, TYPE, member[.member...]): the
// address of the TYPE that holds *ptr as that member.
type gContainerOf struct {
	node
	X      *gExpr   `parser:"\"container_of\" \"(\" @@ \",\""`
	Named  *string  `parser:"( (?= Ident \",\") @Ident"`
	Type   *gType   `parser:"| @@ ) \",\""`
	Fields []string `parser:"@(Ident | Keyword | TypeName) ( \".\" @(Ident | Keyword | TypeName) )* \")\""`
}

type gCall struct {
	node
	Name string  `parser:"@Ident \"(\""`
	Args []*gArg `parser:"( @@ ( \",\" @@ )* )? \")\""`
}

// gArg is a call's argument: an expression or, for a macro, a type (a
// builtin type name, struct/union/enum X, or a named type with '*'); a
// plain identifier stays an expression.
type gArg struct {
	node
	Type *gType `parser:"(  (?= ( \"struct\" | \"union\" | \"enum\" | TypeName | Ident \"*\"+ ( \")\" | \",\" ) ) ) @@"`
	X    *gExpr `parser:"| @@ )"`
}

type gMap struct {
	node
	Name string  `parser:"@Map"`
	Keys []*gKey `parser:"( \"[\" @@ ( \",\" @@ )* \"]\" )?"`
}

// gKey is a map key: an expression, or `*` (any value, for delete()).
type gKey struct {
	node
	Wild *string `parser:"(  (?= \"*\" ( \",\" | \"]\" ) ) @\"*\""`
	X    *gExpr  `parser:"| @@ )"`
}

// gParen is `parser:"(x)"`, a tuple `parser:"(a, b)"` or a record `parser:"(a=1, b=2)"`.
type gParen struct {
	node
	Elems []*gElem `parser:"\"(\" @@ ( \",\" @@ )* \")\""`
}

type gElem struct {
	node
	Name *string `parser:"( (?= Ident \"=\") @Ident \"=\" )?"`
	X    *gExpr  `parser:"@@"`
}
