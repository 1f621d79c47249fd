// Package ktypes answers questions about the kernel's C types from kernel
// BTF (/sys/kernel/btf/vmlinux): struct and union layouts, member offsets,
// bitfields, arrays, pointers, enums and typedefs, as lang types.
//
// BTF is parsed once, on the first question: scripts that never name a
// kernel type never pay the tens of milliseconds and megabytes it costs.
package ktypes

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/cilium/ebpf/btf"

	"github.com/gobpftrace/gobpftrace/lang"
)

// Kernel is a lazily loaded view of a BTF spec.
type Kernel struct {
	load func() (*btf.Spec, error)
	// raw, when set, returns the BTF bytes the spec was parsed from: one
	// scan of them finds enumerators much faster than decoding every type.
	raw func() ([]byte, error)

	once sync.Once
	spec *btf.Spec
	err  error

	mu      sync.Mutex
	types   map[string]*lang.Type
	enumIdx map[string]enumerator
	rawIdx  *rawIndex
	names   []string
}

type enumerator struct {
	value int64
	t     *lang.Type
}

// New returns a Kernel over the spec load returns (called at most once).
func New(load func() (*btf.Spec, error)) *Kernel {
	return &Kernel{load: load, types: map[string]*lang.Type{}}
}

var (
	vmlinuxOnce sync.Once
	vmlinux     *Kernel
)

// Vmlinux is the running kernel's BTF, shared by everything in the process.
func Vmlinux() *Kernel {
	vmlinuxOnce.Do(func() {
		vmlinux = New(btf.LoadKernelSpec)
		vmlinux.raw = func() ([]byte, error) { return os.ReadFile("/sys/kernel/btf/vmlinux") }
	})
	return vmlinux
}

// Spec returns the parsed BTF, loading it on first use.
func (k *Kernel) Spec() (*btf.Spec, error) {
	k.once.Do(func() {
		k.spec, k.err = k.load()
		if k.err != nil {
			k.err = fmt.Errorf("could not read kernel BTF: %v", k.err)
		}
	})
	return k.spec, k.err
}

// Type resolves a C type name (see lang.TypeEnv.KernelType).
func (k *Kernel) Type(name string) (*lang.Type, bool, error) {
	spec, err := k.Spec()
	if err != nil {
		return nil, false, err
	}
	name = strings.Join(strings.Fields(name), " ")
	k.mu.Lock()
	defer k.mu.Unlock()
	if t, ok := k.types[name]; ok {
		return t, t != nil, nil
	}
	t := k.lookup(spec, name)
	k.types[name] = t
	return t, t != nil, nil
}

func (k *Kernel) lookup(spec *btf.Spec, name string) *lang.Type {
	kind, base, _ := strings.Cut(name, " ")
	switch kind {
	case "struct", "union", "enum":
	default:
		kind, base = "", name
	}
	cands, err := spec.AnyTypesByName(base)
	if err != nil {
		return nil
	}
	pick := func(match func(btf.Type) bool) btf.Type {
		for _, c := range cands {
			if match(c) {
				return c
			}
		}
		return nil
	}
	var found btf.Type
	switch kind {
	case "struct":
		found = pick(func(t btf.Type) bool { _, ok := t.(*btf.Struct); return ok })
	case "union":
		found = pick(func(t btf.Type) bool { _, ok := t.(*btf.Union); return ok })
	case "enum":
		found = pick(func(t btf.Type) bool {
			switch t.(type) {
			case *btf.Enum:
				return true
			}
			return false
		})
	default:
		// A typedef or base type first; then a struct or union written
		// without its keyword (old scripts cast to (task_struct *)).
		found = pick(func(t btf.Type) bool {
			switch t.(type) {
			case *btf.Typedef, *btf.Int:
				return true
			}
			return false
		})
		if found == nil {
			found = pick(func(t btf.Type) bool {
				switch t.(type) {
				case *btf.Struct, *btf.Union:
					return true
				}
				return false
			})
		}
	}
	if found == nil {
		return nil
	}
	return Full(found)
}

// Enumerator finds a kernel enum constant (see lang.TypeEnv).
func (k *Kernel) Enumerator(name string) (int64, *lang.Type, bool, error) {
	spec, err := k.lockIndexed()
	if err != nil {
		return 0, nil, false, err
	}
	defer k.mu.Unlock()
	if e, ok := k.enumIdx[name]; ok {
		return e.value, e.t, true, nil
	}
	if k.rawIdx == nil {
		return 0, nil, false, nil
	}
	id, ok := k.rawIdx.enumerators[name]
	if !ok {
		return 0, nil, false, nil
	}
	typ, err := spec.TypeByID(id)
	if err != nil {
		return 0, nil, false, fmt.Errorf("reading kernel BTF: %v", err)
	}
	en, ok := typ.(*btf.Enum)
	if !ok {
		return 0, nil, false, nil
	}
	et := Convert(en)
	for _, v := range en.Values {
		if v.Name == name {
			e := enumerator{int64(v.Value), et}
			k.enumIdx[name] = e
			return e.value, e.t, true, nil
		}
	}
	return 0, nil, false, nil
}

// EnumeratorNames lists every enum constant's name (unsorted).
func (k *Kernel) EnumeratorNames() ([]string, error) {
	if _, err := k.lockIndexed(); err != nil {
		return nil, err
	}
	defer k.mu.Unlock()
	var out []string
	if k.rawIdx != nil {
		for n := range k.rawIdx.enumerators {
			out = append(out, n)
		}
		return out, nil
	}
	for n := range k.enumIdx {
		out = append(out, n)
	}
	return out, nil
}

// TypeNames lists the named structs, unions and enums ("struct x",
// "union y", "enum z"), sorted; -l lists them.
func (k *Kernel) TypeNames() ([]string, error) {
	structs, err := k.StructNames()
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	out := append([]string(nil), structs...)
	if k.rawIdx != nil {
		out = append(out, k.rawIdx.enums...)
	} else {
		for _, e := range k.enumIdx {
			if e.t.Enum != nil && e.t.Enum.Name != "enum" && !contains(out, e.t.Enum.Name) {
				out = append(out, e.t.Enum.Name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// StructNames lists "struct x" and "union y" names, sorted.
func (k *Kernel) StructNames() ([]string, error) {
	if _, err := k.lockIndexed(); err != nil {
		return nil, err
	}
	defer k.mu.Unlock()
	return k.names, nil
}

// index finds every enumerator and struct name: from a scan of the raw
// BTF when there is one, else by walking every type.
// lockIndexed loads BTF, takes k.mu and builds the name indexes on first
// use; on success the caller holds k.mu and must unlock it.
func (k *Kernel) lockIndexed() (*btf.Spec, error) {
	spec, err := k.Spec()
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.enumIdx == nil {
		if err := k.index(spec); err != nil {
			k.mu.Unlock()
			return nil, err
		}
	}
	return spec, nil
}

func (k *Kernel) index(spec *btf.Spec) error {
	k.enumIdx = map[string]enumerator{}
	if k.raw != nil {
		if data, err := k.raw(); err == nil {
			if idx, err := scanRaw(data); err == nil {
				k.rawIdx = idx
				k.names = idx.structs
				sort.Strings(k.names)
				return nil
			}
		}
	}
	seen := map[string]bool{}
	for typ, err := range spec.All() {
		if err != nil {
			return fmt.Errorf("reading kernel BTF: %v", err)
		}
		switch x := typ.(type) {
		case *btf.Enum:
			et := Convert(x)
			for _, v := range x.Values {
				if _, dup := k.enumIdx[v.Name]; !dup {
					k.enumIdx[v.Name] = enumerator{int64(v.Value), et}
				}
			}
		case *btf.Struct:
			if x.Name != "" && !seen["struct "+x.Name] {
				seen["struct "+x.Name] = true
				k.names = append(k.names, "struct "+x.Name)
			}
		case *btf.Union:
			if x.Name != "" && !seen["union "+x.Name] {
				seen["union "+x.Name] = true
				k.names = append(k.names, "union "+x.Name)
			}
		}
	}
	sort.Strings(k.names)
	return nil
}

// maxDepth bounds walks through qualifiers and typedefs.
const maxDepth = 32

// skipQualifiers returns t without typedefs, const, volatile, restrict
// and type tags.
func skipQualifiers(t btf.Type) btf.Type {
	for i := 0; i < maxDepth && t != nil; i++ {
		switch x := t.(type) {
		case *btf.Typedef:
			t = x.Type
		case *btf.Const:
			t = x.Type
		case *btf.Volatile:
			t = x.Type
		case *btf.Restrict:
			t = x.Type
		case *btf.TypeTag:
			t = x.Type
		default:
			return t
		}
	}
	return t
}

// Full converts t, giving a struct or union its members (one level: a
// member that is a named struct gets that struct without members).
func Full(t btf.Type) *lang.Type {
	switch x := skipQualifiers(t).(type) {
	case *btf.Struct:
		return structType("struct", x.Name, x.Size, x.Members)
	case *btf.Union:
		return structType("union", x.Name, x.Size, x.Members)
	}
	return Convert(t)
}

// Convert converts a BTF type to a lang type: integers by width and sign
// (char is int8, _Bool bool), enums as integers carrying their names,
// char arrays as strings (as bpftrace reads them), other arrays as
// arrays, pointers with their pointee, named structs and unions without
// members (their name finds them), anonymous ones with members. It
// returns lang.TVoid for void and function types.
func Convert(t btf.Type) *lang.Type {
	return convert(t, 0)
}

func convert(t btf.Type, depth int) *lang.Type {
	if depth > maxDepth {
		return lang.TUint64
	}
	switch x := skipQualifiers(t).(type) {
	case nil, *btf.Void:
		return lang.TVoid
	case *btf.Int:
		if x.Encoding == btf.Bool && x.Size == 1 {
			return lang.TBool
		}
		if x.Encoding == btf.Char && x.Size == 1 {
			return lang.TInt8
		}
		switch x.Size {
		case 1, 2, 4, 8:
			return lang.IntType(int(x.Size), x.Encoding == btf.Signed)
		}
		return &lang.Type{Kind: lang.KArray, Len: int(x.Size), Elem: lang.TUint8, Size: int(x.Size)}
	case *btf.Float:
		return lang.FloatType(x.Name, int(x.Size))
	case *btf.Enum:
		size := int(x.Size)
		switch size {
		case 1, 2, 4, 8:
		default:
			size = 8
		}
		it := lang.IntType(size, x.Signed)
		e := &lang.Enum{Name: "enum " + x.Name, Values: map[int64]string{}}
		for _, v := range x.Values {
			val := int64(v.Value)
			if !x.Signed {
				val = int64(truncate(v.Value, size))
			}
			if _, dup := e.Values[val]; !dup {
				e.Values[val] = v.Name
			}
		}
		if x.Name == "" {
			e.Name = "enum"
		}
		it.Enum = e
		return it
	case *btf.Pointer:
		elem := convert(x.Target, depth+1)
		return &lang.Type{Kind: lang.KPtr, Size: 8, Elem: elem}
	case *btf.Array:
		elem := convert(x.Type, depth+1)
		n := int(x.Nelems)
		if elem.Kind == lang.KInt && elem.Size == 1 && isCharType(x.Type) && n > 0 {
			t := lang.StringType(n)
			t.CharArray = true
			return t
		}
		return &lang.Type{Kind: lang.KArray, Elem: elem, Len: n, Size: n * lang.SizeOf(elem)}
	case *btf.Struct:
		if x.Name != "" {
			return &lang.Type{Kind: lang.KStruct, Name: "struct " + x.Name, Size: int(x.Size)}
		}
		return structType("struct", "", x.Size, x.Members)
	case *btf.Union:
		if x.Name != "" {
			return &lang.Type{Kind: lang.KStruct, Name: "union " + x.Name, Size: int(x.Size)}
		}
		return structType("union", "", x.Size, x.Members)
	case *btf.Fwd:
		kind := "struct"
		if x.Kind == btf.FwdUnion {
			kind = "union"
		}
		return &lang.Type{Kind: lang.KStruct, Name: kind + " " + x.Name}
	case *btf.FuncProto, *btf.Func:
		return lang.TVoid
	}
	return lang.TUint64
}

func truncate(v uint64, size int) uint64 {
	if size >= 8 {
		return v
	}
	return v & (1<<(8*size) - 1)
}

// isCharType reports whether t is char (plain, signed or unsigned) and
// not a u8/s8 typedef, which read as integers.
func isCharType(t btf.Type) bool {
	for i := 0; i < maxDepth && t != nil; i++ {
		switch x := t.(type) {
		case *btf.Typedef:
			return false
		case *btf.Const:
			t = x.Type
		case *btf.Volatile:
			t = x.Type
		case *btf.TypeTag:
			t = x.Type
		case *btf.Int:
			return x.Size == 1 && (x.Encoding == btf.Char || x.Name == "char" || x.Name == "signed char" || x.Name == "unsigned char")
		default:
			return false
		}
	}
	return false
}

// structType lays out members. Members of anonymous struct and union
// members are lifted into the parent (C lets code name them directly),
// at their offsets in the parent.
func structType(kind, name string, size uint32, members []btf.Member) *lang.Type {
	st := &lang.Type{Kind: lang.KStruct, Name: kind, Size: int(size)}
	if name != "" {
		st.Name = kind + " " + name
	}
	addMembers(st, members, 0)
	return st
}

func addMembers(st *lang.Type, members []btf.Member, base int) {
	for _, m := range members {
		bitOff := int(m.Offset) + 8*base
		if m.Name == "" {
			switch x := skipQualifiers(m.Type).(type) {
			case *btf.Struct:
				addMembers(st, x.Members, bitOff/8)
				continue
			case *btf.Union:
				addMembers(st, x.Members, bitOff/8)
				continue
			}
		}
		ft := convert(m.Type, 0)
		f := &lang.Field{Name: m.Name, Type: ft, Offset: bitOff / 8}
		if m.BitfieldSize > 0 {
			// The storage unit is the member type's size, aligned; the
			// bit offset counts from its start.
			unit := 8 * ft.Size
			if !ft.IsInt() || unit == 0 {
				unit = 64
			}
			start := bitOff / unit * unit
			if bitOff+int(m.BitfieldSize) > start+unit {
				start = bitOff / 8 * 8
			}
			f.Offset = start / 8
			f.BitOffset = bitOff - start
			f.BitSize = int(m.BitfieldSize)
		} else if bitOff%8 != 0 {
			continue
		}
		st.Fields = append(st.Fields, f)
	}
}
