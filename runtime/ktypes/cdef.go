package ktypes

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Definition returns the C definition of a named struct, union or enum
// ("struct path") as -lv prints it, in the layout of the kernel's own
// headers (tab indentation, anonymous members inline).
func (k *Kernel) Definition(name string) (string, bool, error) {
	spec, err := k.Spec()
	if err != nil {
		return "", false, err
	}
	kind, base, ok := strings.Cut(name, " ")
	if !ok {
		return "", false, nil
	}
	cands, err := spec.AnyTypesByName(base)
	if err != nil {
		return "", false, nil
	}
	for _, c := range cands {
		var body string
		switch x := c.(type) {
		case *btf.Struct:
			if kind != "struct" {
				continue
			}
			body = recordBody(x.Members, 1)
		case *btf.Union:
			if kind != "union" {
				continue
			}
			body = recordBody(x.Members, 1)
		case *btf.Enum:
			if kind != "enum" {
				continue
			}
			body = enumBody(x, 1)
		default:
			continue
		}
		return name + " {\n" + body + "};\n", true, nil
	}
	return "", false, nil
}

func recordBody(members []btf.Member, depth int) string {
	var sb strings.Builder
	indent := strings.Repeat("\t", depth)
	for _, m := range members {
		sb.WriteString(indent)
		sb.WriteString(declare(m.Type, m.Name, depth))
		if m.BitfieldSize > 0 {
			fmt.Fprintf(&sb, ": %d", m.BitfieldSize)
		}
		sb.WriteString(";\n")
	}
	return sb.String()
}

func enumBody(e *btf.Enum, depth int) string {
	var sb strings.Builder
	indent := strings.Repeat("\t", depth)
	for _, v := range e.Values {
		if e.Signed {
			fmt.Fprintf(&sb, "%s%s = %d,\n", indent, v.Name, int64(v.Value))
		} else {
			fmt.Fprintf(&sb, "%s%s = %d,\n", indent, v.Name, v.Value)
		}
	}
	return sb.String()
}

// declare writes a C declaration of name with type t: pointers and arrays
// bind to the name ("struct dentry *dentry", "char comm[16]", "void
// (*fn)(int)"); anonymous structs, unions and enums are written inline.
func declare(t btf.Type, name string, depth int) string {
	join := func(base string) string {
		if name == "" {
			return base
		}
		return base + " " + name
	}
	for i := 0; i < maxDepth; i++ {
		switch x := t.(type) {
		case nil, *btf.Void:
			return join("void")
		case *btf.Int:
			return join(x.Name)
		case *btf.Float:
			return join(x.Name)
		case *btf.Typedef:
			return join(x.Name)
		case *btf.Const:
			return "const " + declare(x.Type, name, depth)
		case *btf.Volatile:
			return "volatile " + declare(x.Type, name, depth)
		case *btf.Restrict:
			t = x.Type
			continue
		case *btf.TypeTag:
			t = x.Type
			continue
		case *btf.Pointer:
			if fp, ok := x.Target.(*btf.FuncProto); ok {
				return funcDecl(fp, "(*"+name+")", depth)
			}
			t, name = x.Target, "*"+name
			continue
		case *btf.Array:
			if strings.HasPrefix(name, "*") {
				name = "(" + name + ")"
			}
			t, name = x.Type, fmt.Sprintf("%s[%d]", name, x.Nelems)
			continue
		case *btf.Struct:
			if x.Name == "" {
				return join("struct {\n" + recordBody(x.Members, depth+1) + strings.Repeat("\t", depth) + "}")
			}
			return join("struct " + x.Name)
		case *btf.Union:
			if x.Name == "" {
				return join("union {\n" + recordBody(x.Members, depth+1) + strings.Repeat("\t", depth) + "}")
			}
			return join("union " + x.Name)
		case *btf.Enum:
			if x.Name == "" {
				return join("enum {\n" + enumBody(x, depth+1) + strings.Repeat("\t", depth) + "}")
			}
			return join("enum " + x.Name)
		case *btf.Fwd:
			return join(x.Kind.String() + " " + x.Name)
		case *btf.FuncProto:
			return funcDecl(x, name, depth)
		default:
			return join(t.TypeName())
		}
	}
	return join("void")
}

// funcDecl declares a function (pointer) such as "int (*fn)(struct file *, int)".
func funcDecl(fp *btf.FuncProto, name string, depth int) string {
	params := make([]string, len(fp.Params))
	for i, p := range fp.Params {
		params[i] = declare(p.Type, "", depth)
	}
	if len(params) == 0 {
		params = []string{"void"}
	}
	return declare(fp.Return, name+"("+strings.Join(params, ", ")+")", depth)
}
