package codegen

import (
	"fmt"
	"testing"
)

// TestCombinations puts expressions of every supported kind in every
// position (printf argument, map key, map value, variable, print, condition)
// and makes sure the verifier accepts each program and BEGIN runs.
func TestCombinations(t *testing.T) {
	requireRoot(t)
	off := commOffset(t)
	setup := fmt.Sprintf(`$p = curtask + %d; $a = (int16)-7; $s = "var"; @m[1] = 5; @sm[1] = "mapstr"; $t = (1, "t");`, off)
	ints := []string{"pid", "$a", "@m[1]", "(int8)-1", "1 + pid * 3 - $a / 2", `comm == "x"`, "nsecs > 0 ? 1 : 2", "!$a", "~cpu", "$t.0", "(uint16)elapsed", "@m[1]++", "$a << 2 >> 1", "rand % 7"}
	strs := []string{"comm", `"lit"`, "str($p)", "$s", "probe", "@sm[1]", "$t.1", `pid > 0 ? "yes" : "no"`, "str($p, 5)"}
	var scripts []string
	for _, e := range ints {
		scripts = append(scripts,
			fmt.Sprintf(`BEGIN { %s printf("%%d\n", %s); }`, setup, e),
			fmt.Sprintf(`BEGIN { %s @k[%s] = count(); @k2[%s, comm] = sum(%s); }`, setup, e, e, e),
			fmt.Sprintf(`BEGIN { %s @v = %s; @h = hist(%s); @l[%s] = lhist(%s, 0, 10, 2); }`, setup, e, e, e, e),
			fmt.Sprintf(`BEGIN { %s $x = %s; print($x); @mn = min($x); @mx = max(%s); @a = avg(%s); }`, setup, e, e, e),
			fmt.Sprintf(`BEGIN { %s if (%s) { @y = 1; } else { @y = 2; } if ((%s) > 1 && (%s) < 9 || (%s) == 0) { @z = 1; } }`, setup, e, e, e, e),
			fmt.Sprintf(`BEGIN { %s @c += %s; @c -= %s; @c *= %s; @c |= %s; @c >>= 1; }`, setup, e, e, e, e),
		)
	}
	for _, e := range strs {
		scripts = append(scripts,
			fmt.Sprintf(`BEGIN { %s printf("%%s\n", %s); }`, setup, e),
			fmt.Sprintf(`BEGIN { %s @k[%s] = count(); @k2[pid, %s] = max(pid); }`, setup, e, e),
			fmt.Sprintf(`BEGIN { %s @v = %s; $x = %s; print($x); @w[$x] = $x; }`, setup, e, e),
			fmt.Sprintf(`BEGIN { %s if ((%s) == "lit") { @y = 1; } if ((%s) != comm) { @z = 1; } }`, setup, e, e),
			fmt.Sprintf(`BEGIN { %s @tt = (%s, pid, %s); print(@tt); }`, setup, e, e),
		)
	}
	scripts = append(scripts,
		`tracepoint:raw_syscalls:sys_enter /args.id == 1 || comm == "bash"/ { @[args.id, comm] = count(); printf("%d %s %d\n", args.id, comm, args.args[5]); }`,
		`tracepoint:syscalls:sys_enter_openat /str(args.filename) == "/etc/passwd"/ { @[comm, str(args.filename)] = count(); @f = lhist(args.flags, 0, 1000, 100); }`,
	)
	for _, src := range scripts {
		p, err := tryCompile(src)
		if err != nil {
			t.Errorf("%s:\n%v", src, err)
			continue
		}
		l := load(t, p)
		if p.Programs[0].Attach.Provider == "BEGIN" {
			l.run("BEGIN")
		}
	}
}
