// Package lang is gobpftrace's front end: it reads bpftrace's language into an
// AST (parser), prints the AST back as source (printer), and checks it (types,
// scopes, builtins), reporting positioned diagnostics in bpftrace's layout.
//
// This file is the contract between the parser, the checker and codegen.
// The parser fills every node's Span; the checker fills Expr types (SetType)
// and the resolved fields documented on each node; codegen only reads.
package lang

// Pos is a position in a source file. Line and Col are 1-based; Col counts
// bytes. Offset is the 0-based byte offset.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// Span is the half-open source range [Start, End) of a node.
type Span struct {
	Start Pos
	End   Pos
}

// Node is implemented by every AST node.
type Node interface {
	Pos() Span
}

// Pos returns the span itself, so that embedding Span makes a Node.
func (s Span) Pos() Span { return s }

// SetPos moves a node to x (every node type has it through its embedded
// Span): the parser widens an expression to its parentheses, macro
// expansion places a #define's value at the directive.
func (s *Span) SetPos(x Span) { *s = x }

// Program is a whole script.
type Program struct {
	Span
	// Directives are the #include / #define lines, in source order.
	Directives []*Directive
	// Config is the `config = { key = value; ... }` block, if any.
	Config *ConfigBlock
	// CDefs are C struct/union/enum/typedef definitions written in the script.
	CDefs []*CDefinition
	// Macros are `macro name(args) { ... }` definitions.
	Macros []*Macro
	// MapDecls are `let @m = hash(N);` style map declarations at top level.
	MapDecls []*MapDecl
	// Probes in source order.
	Probes []*Probe
}

// Directive is a preprocessor line such as `#include <linux/sched.h>` or
// `#define MAX 10`. Name is "include" or "define"; Text is the rest of the line.
type Directive struct {
	Span
	Name string
	Text string
	// For #define: the macro name and its replacement text.
	DefineName  string
	DefineValue string
}

// ConfigBlock is `config = { name = value; ... }`.
type ConfigBlock struct {
	Span
	Items []*ConfigItem
}

// ConfigItem is one `name = value` of a config block. Value is an *IntLit,
// *StrLit, *BoolLit or *Ident.
type ConfigItem struct {
	Span
	Name  string
	Value Expr
}

// CDefinition is a C type definition written in a script, kept as text;
// the checker (or a later BTF-aware stage) interprets it.
type CDefinition struct {
	Span
	Text string
}

// Macro is `macro name($a, @b, c) { stmts; expr }`.
type Macro struct {
	Span
	Name   string
	Params []string // as written, with sigil: "$a", "@b", or "c"
	// ParamSpans are where each parameter is written (when parsed).
	ParamSpans []Span
	// NameSpan is "macro NAME" (when parsed), where bpftrace points at a
	// definition.
	NameSpan Span
	Body     *Block
}

// MapDecl is `let @name = hash(100);` (also lruhash, percpuhash, percpulruhash, percpuarray).
type MapDecl struct {
	Span
	Name       string // "@name"
	Kind       string // "hash", "lruhash", ...
	MaxEntries int64
}

// Probe is one probe block: attach points, optional predicate, body.
type Probe struct {
	Span
	AttachPoints []*AttachPoint
	Predicate    Expr // nil when absent
	Body         *Block
	// Index is the probe's position in Program.Probes (filled by the parser).
	Index int
}

// AttachPoint is one attach point such as `tracepoint:syscalls:sys_enter_open*`.
//
// Raw is the text as written. Provider is canonical after the checker
// (aliases expanded: "t" -> "tracepoint", "kfunc" -> "fentry", "BEGIN" and
// "END" stay as they are). Parts are the colon-separated fields after the
// provider as written (a path containing ':' is kept whole where bpftrace
// would). Examples:
//
//	BEGIN                               Provider "BEGIN",      Parts []
//	tracepoint:syscalls:sys_enter_open  Provider "tracepoint", Parts ["syscalls","sys_enter_open"]
//	interval:s:1                        Provider "interval",   Parts ["s","1"]
//	interval:1s                         Provider "interval",   Parts ["1s"]
//	uprobe:/bin/bash:readline           Provider "uprobe",     Parts ["/bin/bash","readline"]
type AttachPoint struct {
	Span
	Raw      string
	Provider string
	Parts    []string
}

// Block is `{ stmt; ... }` or `< stmt; ... >`; Angle records which.
type Block struct {
	Span
	Stmts []Stmt
	Angle bool
}

// Stmt is a statement.
type Stmt interface {
	Node
	stmt()
}

// ExprStmt is an expression used as a statement (a call, `@x++`, ...).
type ExprStmt struct {
	Span
	X Expr
}

// AssignStmt is `target = value` or a compound assignment (`+=`, `-=`, `*=`,
// `/=`, `%=`, `&=`, `|=`, `^=`, `<<=`, `>>=`). Target is a *MapExpr, *Var
// (possibly a new one), or, for aggregations, a map: `@x = count()`.
type AssignStmt struct {
	Span
	Target Expr
	Op     string // "=" or "+=" etc.
	Value  Expr
}

// LetStmt declares a scratch variable: `let $x;`, `let $x: uint8;`,
// `let $x = 1;`, `let $x: int64 = 1;`.
type LetStmt struct {
	Span
	Var   *Var
	Type  *TypeSpec // nil when not written
	Value Expr      // nil when absent
}

// IfStmt is `if (cond) { ... } else if ... else { ... }`.
// Else is nil, a *Block, or an *IfStmt (for `else if`).
type IfStmt struct {
	Span
	Cond Expr
	Then *Block
	Else Stmt
}

// WhileStmt is `while (cond) { ... }`.
type WhileStmt struct {
	Span
	Cond Expr
	Body *Block
}

// ForMapStmt is `for ($kv : @map) { ... }`.
type ForMapStmt struct {
	Span
	Var  *Var
	Map  *MapExpr // Keys is empty
	Body *Block
}

// ForRangeStmt is `for ($i : start..end) { ... }` (end exclusive, as bpftrace).
type ForRangeStmt struct {
	Span
	Var   *Var
	Start Expr
	End   Expr
	Body  *Block
}

// UnrollStmt is `unroll (n) { ... }`.
type UnrollStmt struct {
	Span
	// Head is the `unroll (N)` before the body, where a bad count is
	// reported (as bpftrace underlines it).
	Head  Span
	Count Expr
	Body  *Block
	// N is Count's value, set by the checker (Count may be $1 or an
	// expression of constants).
	N int64
}

// JumpStmt is `break`, `continue` or `return` (Value is unused by bpftrace
// for tracing probes but parsed when present).
type JumpStmt struct {
	Span
	Kind  string // "break", "continue", "return"
	Value Expr
}

// BlockStmt is a nested bare block `{ ... }` used as a statement.
type BlockStmt struct {
	Span
	Body *Block
}

func (*ExprStmt) stmt()     {}
func (*AssignStmt) stmt()   {}
func (*LetStmt) stmt()      {}
func (*IfStmt) stmt()       {}
func (*WhileStmt) stmt()    {}
func (*ForMapStmt) stmt()   {}
func (*ForRangeStmt) stmt() {}
func (*UnrollStmt) stmt()   {}
func (*JumpStmt) stmt()     {}
func (*BlockStmt) stmt()    {}
func (*Block) stmt()        {}

// Expr is an expression. After checking, Type() is its type (never nil for
// a checked expression).
type Expr interface {
	Node
	Type() *Type
	SetType(*Type)
}

// typed is embedded in every expression to carry the checker's type.
type typed struct{ T *Type }

func (t *typed) Type() *Type     { return t.T }
func (t *typed) SetType(x *Type) { t.T = x }

// IntLit is an integer literal. Value is its value (decimal, hex, octal,
// `1_000` separators, and bpftrace's time-unit suffixes applied as bpftrace
// applies them). Raw is the source text.
type IntLit struct {
	Span
	typed
	Value uint64
	Raw   string
}

// StrLit is a string literal with escapes already decoded.
type StrLit struct {
	Span
	typed
	Value string
}

// BoolLit is `true` or `false`.
type BoolLit struct {
	Span
	typed
	Value bool
}

// Ident is a bare identifier: a builtin variable (pid, comm, args, arg0,
// retval, ...), an enum constant, or a type name where the grammar allows.
type Ident struct {
	Span
	typed
	Name string
	// Enum is set by the checker when the identifier is a C enum constant
	// (from kernel BTF or the script); Value is then its value.
	Enum  bool
	Value int64
	// Expand is what a builtin defined by kernel types stands for (ppid
	// is curtask->real_parent->tgid), filled by the checker.
	Expand Expr
}

// Positional is `$1`..`$N` (N >= 1) or `$#` (Count is true, N is 0).
type Positional struct {
	Span
	typed
	N     int
	Count bool
	// Fold is the integer literal the parameter stands for (set by the
	// checker): bpftrace v0.26 puts the literal in its place.
	Fold Fold
}

// Var is a scratch variable `$name`.
type Var struct {
	Span
	typed
	Name string // with the '$'
	// Sym is the variable this use refers to (filled by the checker).
	Sym *VarSym
}

// MapExpr is `@name`, `@name[k]` or `@name[k1, k2]` (several keys form a
// tuple key, as in bpftrace). Name is "@" for the anonymous map.
type MapExpr struct {
	Span
	typed
	Name string
	Keys []Expr
	// Sym is the map this use refers to (filled by the checker).
	Sym *MapSym
}

// Wildcard is `*` written as a key of a map given to delete(), as in
// `delete(@m[10, *])`: it matches any value of that key. The checker
// turns such a delete into a loop over the map before typing.
type Wildcard struct {
	Span
	typed
}

// Call is `name(args...)`: a builtin function or aggregation, or a macro call.
type Call struct {
	Span
	typed
	Name string
	Args []Expr
}

// Unary is a prefix or postfix operator: "-", "!", "~", "*" (deref), "&"
// (address of), "++", "--". Postfix is true for `x++` / `x--`.
type Unary struct {
	Span
	typed
	Op      string
	X       Expr
	Postfix bool
	Fold    Fold // set by the checker
}

// Binary is `x op y` for "+ - * / % & | ^ << >> == != < <= > >= && ||".
type Binary struct {
	Span
	typed
	Op   string
	X    Expr
	Y    Expr
	Fold Fold // set by the checker
}

// Fold records that the checker folded an operation on integer literals
// into a literal, as bpftrace v0.26 folds them before typing: `1 + 2` is
// the literal 3 (an int8, whose sign adapts as a literal's does), `1 - 2`
// the literal -1, `-(1 + 2)` the literal -3.
type Fold struct {
	Folded   bool
	Value    uint64 // the value, in two's complement when Negative
	Negative bool
	// Unsigned marks a result kept unsigned because an operand was (a
	// literal above int64's range): its type is the smallest unsigned
	// one holding it.
	Unsigned bool
}

// Ternary is `cond ? then : else`; Then is nil for the `cond ?: else` form.
// An if expression, `if (cond) { a } else { b }`, is a Ternary whose
// branches are block expressions (Else an If one for `else if`), marked
// If so that it prints as written.
type Ternary struct {
	Span
	typed
	Cond Expr
	Then Expr
	Else Expr
	If   bool
}

// FieldAccess is `x.field` or `x->field` (Arrow). For tuples, Field is the
// decimal index (`t.0`).
type FieldAccess struct {
	Span
	typed
	X     Expr
	Field string
	Arrow bool
	// Member is the struct or union member the access reads (filled by the
	// checker for C types; nil for tuples, records and args). When X is a
	// pointer, the access dereferences it (bpftrace treats . and -> alike).
	Member *Field
	// Expand is what an args field that no single place holds stands for
	// (a Go string argument is str() of its pointer and length
	// registers), filled by the checker.
	Expand Expr
}

// Index is `x[i]` on a non-map expression (arrays, pointers, args fields).
type Index struct {
	Span
	typed
	X     Expr
	Index Expr
}

// Cast is `(type)x`.
type Cast struct {
	Span
	typed
	To *TypeSpec
	X  Expr
}

// Tuple is `(a, b, ...)` with at least two elements, or a record
// `(name=a, other=b)` when Names is non-nil.
type Tuple struct {
	Span
	typed
	Elems []Expr
	Names []string
}

// Sizeof is `sizeof(type)` or `sizeof(expr)`; exactly one of TypeArg/X is set.
type Sizeof struct {
	Span
	typed
	TypeArg *TypeSpec
	X       Expr
}

// Offsetof is `offsetof(struct X, field)` or `offsetof(expr, field)`.
type Offsetof struct {
	Span
	typed
	TypeArg *TypeSpec
	X       Expr
	Fields  []string // a.b.c
	// Value is the offset in bytes (filled by the checker).
	Value int
}

// BlockExpr is `{ stmt; ...; value }` written as a call's argument (a
// macro's block argument, as bpftrace's block expressions): its statements
// run, then Value is its value. Macro expansion replaces it by its
// statements and its value, so the checker never types one.
type BlockExpr struct {
	Span
	typed
	Body  *Block // the statements before the value
	Value Expr
}

// TypeExpr is a type written as a call's argument: `m(int32)`,
// `m(struct task_struct *)`. It is a macro's type argument, which macro
// expansion puts where the parameter stands for a type ((T)x, sizeof(T),
// let $v: T, typeof(T)); anywhere else the checker refuses it.
type TypeExpr struct {
	Span
	typed
	Spec *TypeSpec
}

// TypeSpec is a written type: `uint8`, `int64`, `string`, `struct task_struct *`,
// `uint8[4]`, `bool`.
type TypeSpec struct {
	Span
	Name     string // "uint8", "struct task_struct", "string", ...
	Pointers int    // number of '*'
	ArrayLen int    // > 0 for `T[N]`
	// Of is the expression of `typeof(expr)` (Name is then "typeof"): the
	// type is the expression's, which is not evaluated.
	Of Expr
	// T is the type the name resolves to (filled by the checker).
	T *Type
}

// Text returns the type as written in canonical form, e.g. "struct foo *".
func (t *TypeSpec) Text() string {
	s := t.Name
	if t.Pointers > 0 {
		s += " "
		for i := 0; i < t.Pointers; i++ {
			s += "*"
		}
	}
	if t.ArrayLen > 0 {
		s += "[" + itoa(t.ArrayLen) + "]"
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
