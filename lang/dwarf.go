package lang

// DwarfEnv is implemented by an Env that reads the DWARF debug
// information of user-space binaries. The checker uses it for uprobe
// `args` and for attach points at a source line.
type DwarfEnv interface {
	// UprobeArgs returns the parameters of function name of the ELF file
	// at path, with the registers that hold them at the function's entry
	// (the C calling convention's, or Go's in a Go binary).
	UprobeArgs(path, name string) ([]*UprobeArg, error)
	// SourceLineAddress returns the virtual address of the first
	// statement of line of source file in the ELF file at path.
	SourceLineAddress(path, file string, line int) (uint64, error)
}

// DwarfTypeEnv is implemented by a DwarfEnv that can also give the types
// a binary's DWARF defines, by the name a script writes ("struct foo", a
// typedef's name): a uprobe of the binary casts to them and declares
// variables of them (`(struct foo *)arg0`), as in bpftrace.
type DwarfTypeEnv interface {
	// UserType returns the type name as the ELF file at path defines
	// it; found is false when its debug information has no such type or
	// it has none at all.
	UserType(path, name string) (t *Type, found bool, err error)
}

// UprobeArg is a parameter of a user-space function as a uprobe reads it.
type UprobeArg struct {
	Name string
	// Type is what the script reads: the parameter's type, a string for
	// a Go string, the element pointer for a Go slice; nil when the
	// parameter cannot be read (Why says why).
	Type *Type
	// Regs name the pt_regs members holding the parameter (reg() names:
	// di, si, ax...): one for an integer or pointer, two for a Go string
	// (pointer, length), three for a Go slice (pointer, length, capacity).
	Regs []string
	Why  string
	// Fields name the words of a Go slice (ptr, len, cap) or of a Go
	// struct or interface passed in registers (its fields), FieldTypes
	// their types, in the order of Regs: the parameter reads as a record
	// of them. Nil for a Go string (two registers, read as a string).
	Fields     []string
	FieldTypes []*Type
	// InRegs marks a C struct or union (Type) passed by value in Regs,
	// its bytes in order, the low byte of Regs[0] first.
	InRegs bool
	// Stack marks a parameter passed on the stack: it is at StackOffset
	// bytes above the first stack argument, which is 8 bytes above the
	// stack pointer at the function's entry. A Go string (Type a string)
	// or slice there has Fields too, its words at StackOffset, +8, +16.
	Stack       bool
	StackOffset int
}
