package dwarfinfo

import (
	"debug/dwarf"
	"fmt"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib/ptregs"
)

// ArgKind says how a uprobe reads a parameter.
type ArgKind int

const (
	// Unreadable: the parameter is not in integer registers at the
	// function's entry (Why says where it is).
	Unreadable ArgKind = iota
	// Scalar: an integer or pointer in one register, Regs[0].
	Scalar
	// GoString: a Go string, pointer in Regs[0] and length in Regs[1].
	GoString
	// GoSlice: a Go slice, pointer, length and capacity in Regs[0..2].
	GoSlice
	// GoRecord: a Go struct (an interface is one: type and data) whose
	// fields are integers or pointers, one register each.
	GoRecord
	// CStruct: a C struct or union of up to 16 bytes passed by value in
	// one or two integer registers (Regs), its bytes in order.
	CStruct
	// Stack: a C parameter passed on the stack, StackOffset bytes above
	// the first stack argument (which is 8 bytes above the stack pointer
	// at the function's entry, past the return address).
	Stack
)

// Arg is a parameter of a function as a uprobe on its first instruction
// reads it.
type Arg struct {
	Name string
	// Decl is the parameter as bpftrace lists it (-lv): "int* n".
	Decl string
	Kind ArgKind
	// Type is what a script reads (for a GoSlice, the element type of its
	// pointer); nil when Kind is Unreadable.
	Type *lang.Type
	// Regs name the pt_regs members (ptregs names: di, si, ax...) that
	// hold the parameter.
	Regs []string
	// Why says why an Unreadable parameter cannot be read.
	Why string
	// StackOffset places a Stack parameter.
	StackOffset int
	// Fields name the words of a GoSlice (ptr, len, cap) or GoRecord
	// (its fields), FieldTypes their types, in the order of Regs.
	Fields     []string
	FieldTypes []*lang.Type
}

// The integer argument registers of the x86-64 C calling convention
// (System V) and of Go's register ABI (ABIInternal), from the one table
// of x86-64's registers.
var (
	cIntRegs  = ptregs.ArgNames
	goIntRegs = ptregs.GoArgNames
)

const goFloatRegs = 15

// Args returns the parameters of function name with the registers that
// hold them at its entry: the C calling convention's, or Go's for a Go
// binary.
func (f *File) Args(name string) ([]Arg, error) {
	fn, err := f.Function(name)
	if err != nil {
		return nil, err
	}
	switch {
	case fn.Clone:
		return f.cloneArgs(fn), nil
	case f.Go:
		return f.goArgs(fn), nil
	}
	return f.cArgs(fn), nil
}

// cloneArgs reads the parameters of a GCC clone from the registers its
// DWARF names (see clones.go).
func (f *File) cloneArgs(fn *Func) []Arg {
	var out []Arg
	for _, p := range fn.Params {
		a := Arg{Name: p.Name, Decl: f.decl(p), Why: p.Why}
		if p.Reg != "" {
			if t, ok := Convert(p.Type); ok && scalar(t) {
				a.Kind, a.Type, a.Regs = Scalar, t, []string{p.Reg}
			} else {
				a.Why = fmt.Sprintf("it is in %s at %s's entry, and its type is not an integer or a pointer", p.Reg, fn.Name)
			}
		}
		out = append(out, a)
	}
	return out
}

func (f *File) decl(p Param) string {
	tn := f.TypeName(p.Type)
	if p.Name == "" {
		return tn
	}
	return tn + " " + p.Name
}

// cArgs assigns C parameters to registers and the stack as the System V
// x86-64 ABI does: an integer, pointer or enum takes the next of six
// integer registers; a struct or union of up to 16 bytes one or two (or
// xmm registers for its floating-point halves); a floating-point value an
// xmm register (of eight). A parameter that does not fit in the registers
// left, a bigger struct and a long double go on the stack, in order, each
// at a multiple of 8 bytes (16 for 16-byte scalars); the next ones still
// take the registers left.
func (f *File) cArgs(fn *Func) []Arg {
	var out []Arg
	nextInt, nextSSE, stackOff := 0, 0, 0
	for _, p := range fn.Params {
		a := Arg{Name: p.Name, Decl: f.decl(p)}
		ints, sse, mem := cClass(p.Type)
		if mem || nextInt+ints > len(cIntRegs) || nextSSE+sse > cSSERegs {
			size := int(p.Type.Size())
			if _, agg := underlying(p.Type).(*dwarf.StructType); size > 8 && !agg {
				stackOff = (stackOff + 15) &^ 15
			}
			a.StackOffset = stackOff
			stackOff += (max(size, 0) + 7) &^ 7
			t, ok := Convert(p.Type)
			switch {
			case !ok || t.IsFloat():
				a.Why = "its type is not an integer, a pointer or a struct"
			default:
				a.Kind, a.Type = Stack, t
			}
			out = append(out, a)
			continue
		}
		regs := cIntRegs[nextInt : nextInt+ints : nextInt+ints] // capped: an append copies, never writes the table
		nextInt += ints
		nextSSE += sse
		_, isStruct := underlying(p.Type).(*dwarf.StructType)
		t, ok := Convert(p.Type)
		switch {
		case sse > 0 && ints == 0:
			a.Why = "it is passed in xmm registers, which a uprobe cannot read"
		case sse > 0:
			a.Why = fmt.Sprintf("it is a struct passed by value partly in xmm registers, which a uprobe cannot read (the rest in %s)", regList(regs))
			a.Regs = regs
		case isStruct && ok:
			a.Kind, a.Type, a.Regs = CStruct, t, regs
		case ok && ints == 1 && scalar(t):
			a.Kind, a.Type, a.Regs = Scalar, t, regs
		default:
			a.Why = "its type is not an integer or a pointer"
		}
		out = append(out, a)
	}
	return out
}

// cSSERegs is how many xmm registers carry C arguments.
const cSSERegs = 8

func scalar(t *lang.Type) bool {
	return t.Kind == lang.KInt || t.Kind == lang.KBool || t.Kind == lang.KPtr
}

func regList(regs []string) string {
	s := ""
	for i, r := range regs {
		if i > 0 {
			s += " and "
		}
		s += r
	}
	return s
}

// cClass counts the integer and xmm registers a C parameter takes (mem:
// it goes on the stack): one for each eightbyte of a struct of up to 16
// bytes, integer when it holds an integer or a pointer, xmm when it holds
// only floating point.
func cClass(t dwarf.Type) (ints, sse int, mem bool) {
	switch x := underlying(t).(type) {
	case *dwarf.FloatType, *dwarf.ComplexType:
		switch {
		case isComplex(x) && x.Size() == 16:
			return 0, 2, false // complex double
		case x.Size() > 8:
			return 0, 0, true // long double (x87), its complex
		}
		return 0, 1, false
	case *dwarf.StructType, *dwarf.ArrayType:
		size := x.Size()
		if size > 16 || size <= 0 {
			return 0, 0, size > 0
		}
		var isInt [2]bool
		var hasAny [2]bool
		classify(x, 0, &isInt, &hasAny)
		for i := 0; i < int((size+7)/8); i++ {
			if isInt[i] || !hasAny[i] {
				ints++
			} else {
				sse++
			}
		}
		return ints, sse, false
	}
	if t.Size() > 8 {
		return 2, 0, false // __int128
	}
	return 1, 0, false
}

func isComplex(t dwarf.Type) bool { _, ok := t.(*dwarf.ComplexType); return ok }

// classify marks the eightbytes of an aggregate that hold an integer.
func classify(t dwarf.Type, off int64, isInt, hasAny *[2]bool) {
	switch x := underlying(t).(type) {
	case *dwarf.StructType:
		for _, m := range x.Field {
			classify(m.Type, off+m.ByteOffset, isInt, hasAny)
		}
	case *dwarf.ArrayType:
		if es := x.Type.Size(); es > 0 {
			for i := int64(0); i < x.Count; i++ {
				classify(x.Type, off+i*es, isInt, hasAny)
			}
		}
	case *dwarf.FloatType:
		if i := off / 8; i < 2 {
			hasAny[i] = true
		}
	default:
		if i := off / 8; i < 2 {
			hasAny[i] = true
			isInt[i] = true
		}
	}
}

// goArgs assigns Go parameters to registers as Go's register ABI does:
// each takes as many of the nine integer registers as it has integer
// words (a string two, a slice three, an interface two, a struct one per
// field) and floating-point registers for its floats. One that does not
// fit what is left, or has an array of more than one element, goes on
// the stack whole (the next ones still use the registers left): the
// stack-assigned parameters follow the return address in order, each at
// its type's alignment (cmd/compile/abi-internal.md).
func (f *File) goArgs(fn *Func) []Arg {
	var out []Arg
	nextInt, nextFloat, stackOff := 0, 0, int64(0)
	for _, p := range fn.Params {
		a := Arg{Name: p.Name, Decl: f.decl(p)}
		ints, floats, ok := goClass(p.Type, 0)
		if size := p.Type.Size(); size == 0 {
			// A zero-sized value is put in the stack sequence, where
			// only its alignment counts.
			stackOff = alignUp(stackOff, goAlign(p.Type, 0))
			a.Why = "it has no size"
			out = append(out, a)
			continue
		}
		if !ok || nextInt+ints > len(goIntRegs) || nextFloat+floats > goFloatRegs {
			stackOff = alignUp(stackOff, goAlign(p.Type, 0))
			out = append(out, goStackArg(a, p.Type, stackOff))
			stackOff += p.Type.Size()
			continue
		}
		regs := goIntRegs[nextInt : nextInt+ints : nextInt+ints] // capped, as above
		nextInt += ints
		nextFloat += floats
		switch {
		case ints == 0 && floats > 0:
			a.Why = "it is passed in xmm registers, which a uprobe cannot read"
		case isGoString(p.Type) && ints == 2:
			a.Kind, a.Regs = GoString, regs
			a.Type = &lang.Type{Kind: lang.KString, Size: 0, UserSpace: true}
		case isGoSlice(p.Type) && ints == 3:
			s := underlying(p.Type).(*dwarf.StructType)
			if t, ok := Convert(s.Field[0].Type); ok && t.Kind == lang.KPtr {
				a.Kind, a.Regs, a.Type = GoSlice, regs, t
				a.Fields, a.FieldTypes = []string{"ptr", "len", "cap"}, []*lang.Type{t, lang.TInt64, lang.TInt64}
			} else {
				a.Why = "its element type cannot be read"
			}
		case ints == 1 && floats == 0:
			if t, ok := Convert(p.Type); ok && scalar(t) {
				a.Kind, a.Type, a.Regs = Scalar, t, regs
			} else {
				a.Why = "its type is not an integer or a pointer"
			}
		default:
			if names, types, ok := flatRecord(p.Type); ok && len(names) == ints {
				a.Kind, a.Regs, a.Fields, a.FieldTypes = GoRecord, regs, names, types
				a.Type = &lang.Type{Kind: lang.KTuple, Elems: types, Names: names}
				break
			}
			a.Why = fmt.Sprintf("it is passed by value in %s", regList(regs))
			a.Regs = regs
		}
		out = append(out, a)
	}
	return out
}

// goStackArg is Go parameter a of type t passed on the stack at off: a
// string is read as one from its pointer and length words there, a slice
// as the record of its words, anything else (an integer, a pointer, a
// struct, an array, an interface) as its type from memory.
func goStackArg(a Arg, t dwarf.Type, off int64) Arg {
	a.StackOffset = int(off)
	switch {
	case isGoString(t):
		a.Kind, a.Type = Stack, &lang.Type{Kind: lang.KString, Size: 0, UserSpace: true}
		a.Fields = []string{"ptr", "len"}
		a.FieldTypes = []*lang.Type{{Kind: lang.KPtr, Size: 8, Elem: lang.TUint8, UserSpace: true}, lang.TInt64}
		return a
	case isGoSlice(t):
		s := underlying(t).(*dwarf.StructType)
		if pt, ok := Convert(s.Field[0].Type); ok && pt.Kind == lang.KPtr {
			a.Kind, a.Type = Stack, pt
			a.Fields, a.FieldTypes = []string{"ptr", "len", "cap"}, []*lang.Type{pt, lang.TInt64, lang.TInt64}
			return a
		}
	}
	if lt, ok := Convert(t); ok && !lt.IsFloat() {
		a.Kind, a.Type = Stack, lt
		return a
	}
	a.Why = "it is passed on the stack and its type is not an integer, a pointer, a string, a slice, a struct or an array"
	return a
}

func alignUp(n, a int64) int64 { return (n + a - 1) &^ (a - 1) }

// goAlign is the alignment of a Go type on amd64: its size for basic
// types (half of it for complex numbers), the largest of its fields' for
// a struct, its element's for an array.
func goAlign(t dwarf.Type, depth int) int64 {
	if depth > 16 {
		return 8
	}
	switch x := underlying(t).(type) {
	case *dwarf.StructType:
		a := int64(1)
		for _, m := range x.Field {
			a = max(a, goAlign(m.Type, depth+1))
		}
		return a
	case *dwarf.ArrayType:
		return goAlign(x.Type, depth+1)
	case *dwarf.ComplexType:
		return max(1, min(8, x.Size()/2))
	case nil, *dwarf.VoidType:
		return 1
	}
	if s := t.Size(); s >= 1 && s <= 8 && s&(s-1) == 0 {
		return s
	}
	return 8
}

// flatRecord returns the fields of a Go struct whose fields are all
// integers or pointers (one register each), with their types.
func flatRecord(t dwarf.Type) ([]string, []*lang.Type, bool) {
	st, ok := underlying(t).(*dwarf.StructType)
	if !ok || len(st.Field) == 0 {
		return nil, nil, false
	}
	var names []string
	var types []*lang.Type
	for _, f := range st.Field {
		ft, ok := Convert(f.Type)
		if !ok || !scalar(ft) || f.Name == "" {
			return nil, nil, false
		}
		if _, isStruct := underlying(f.Type).(*dwarf.StructType); isStruct {
			return nil, nil, false
		}
		names = append(names, f.Name)
		types = append(types, ft)
	}
	return names, types, true
}

// goClass counts the integer and floating-point registers a Go value
// takes; ok is false for a value Go passes on the stack.
func goClass(t dwarf.Type, depth int) (ints, floats int, ok bool) {
	if depth > 16 {
		return 0, 0, false
	}
	switch x := underlying(t).(type) {
	case *dwarf.FloatType:
		return 0, 1, true
	case *dwarf.ComplexType:
		return 0, 2, true
	case *dwarf.StructType:
		for _, m := range x.Field {
			i, fl, ok := goClass(m.Type, depth+1)
			if !ok {
				return 0, 0, false
			}
			ints += i
			floats += fl
		}
		return ints, floats, true
	case *dwarf.ArrayType:
		switch x.Count {
		case 0:
			return 0, 0, true
		case 1:
			return goClass(x.Type, depth+1)
		}
		return 0, 0, false
	case nil, *dwarf.VoidType:
		return 0, 0, true
	}
	if t.Size() > 8 {
		return 0, 0, false
	}
	return 1, 0, true
}
