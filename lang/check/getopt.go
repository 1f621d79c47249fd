package check

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
)

// The script's own options: getopt("name", default, "help") calls, their
// values after "--" on the command line (--name=value, --name for a bool),
// and the checks bpftrace makes of them.

// DeclaredOptions lists the options the getopt() calls of prog declare,
// sorted by name, without checking anything else: gobpftrace -h
// lists them from the parsed script alone. Calls whose name, default or
// help is not a literal are left to the checker.
func DeclaredOptions(prog *lang.Program) []lang.ScriptOption {
	opts, _ := declaredOptions(prog)
	return opts
}

// declaredOptions also reports the calls that give an option another
// default or another help text than its first use, as bpftrace refuses
// them.
func declaredOptions(prog *lang.Program) ([]lang.ScriptOption, []*lang.Diagnostic) {
	var opts []lang.ScriptOption
	var errs []*lang.Diagnostic
	at := map[string]int{}
	lang.Inspect(prog, func(n lang.Node) bool {
		call, ok := n.(*lang.Call)
		if !ok || call.Name != "getopt" || len(call.Args) == 0 || len(call.Args) > 3 {
			return true
		}
		name, ok := call.Args[0].(*lang.StrLit)
		if !ok {
			return true
		}
		o := lang.ScriptOption{Name: name.Value, Kind: "bool", Default: "false"}
		if len(call.Args) > 1 {
			switch d := call.Args[1].(type) {
			case *lang.BoolLit:
				o.Default = strconv.FormatBool(d.Value)
			case *lang.StrLit:
				o.Kind, o.Default = "string", d.Value
			case *lang.IntLit:
				o.Kind, o.Default = "int", strconv.FormatUint(d.Value, 10)
			case *lang.Unary:
				lit, ok := d.X.(*lang.IntLit)
				if d.Op != "-" || !ok {
					return true
				}
				o.Kind, o.Default = "int", "-"+strconv.FormatUint(lit.Value, 10)
			default:
				return true
			}
		}
		if len(call.Args) == 3 {
			help, ok := call.Args[2].(*lang.StrLit)
			if !ok {
				return true
			}
			o.Help = help.Value
		}
		i, seen := at[o.Name]
		switch {
		case !seen:
			at[o.Name] = len(opts)
			opts = append(opts, o)
		case opts[i].Kind != o.Kind || opts[i].Default != o.Default:
			errs = append(errs, lang.Errorf(call.Span, "Command line option '%s' needs to have the same default value in all places it is used. Previous default value: %s", o.Name, opts[i].Default))
		case o.Help != "" && opts[i].Help != "" && o.Help != opts[i].Help:
			e := lang.Errorf(call.Span, "Command line option '%s' must have the same description in all places it's used.", o.Name)
			e.Hint = "You can wrap it in a macro"
			errs = append(errs, e)
		case opts[i].Help == "":
			opts[i].Help = o.Help
		}
		return true
	})
	slices.SortFunc(opts, func(a, b lang.ScriptOption) int { return strings.Compare(a.Name, b.Name) })
	return opts, errs
}

// unexpectedOptions reports the named arguments given after "--" that
// no getopt() reads, in bpftrace's words. --help is not one: gobpftrace
// answers it with the list of the script's options.
func unexpectedOptions(named map[string]string, declared []lang.ScriptOption) *lang.Diagnostic {
	var unknown []string
	for name := range named {
		if name != "help" && !slices.ContainsFunc(declared, func(o lang.ScriptOption) bool { return o.Name == name }) {
			unknown = append(unknown, "--"+name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	d := &lang.Diagnostic{Global: true, Msg: "unexpected program command line options: " + strings.Join(unknown, ", ")}
	if len(declared) == 0 {
		d.Hint = "no custom program options defined."
	} else {
		names := make([]string, len(declared))
		for i, o := range declared {
			names[i] = "--" + o.Name
		}
		d.Hint = "expected program options: " + strings.Join(names, ", ")
	}
	return d
}

// boolOption reads a bool option's value as bpftrace does: --name alone,
// true, 1, yes and on are true; false, 0, no and off are false.
func boolOption(given string) (value string, ok bool) {
	switch strings.ToLower(given) {
	case "\x00", "true", "1", "yes", "on":
		return "1", true
	case "false", "0", "no", "off":
		return "0", true
	}
	return "", false
}
