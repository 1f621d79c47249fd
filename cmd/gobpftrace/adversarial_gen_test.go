package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Generators of the big inputs of testdata/adversarial (see its README).
// Each takes the words after its name; a text argument is the rest of
// the line.
var generators = map[string]func(args []string) (string, error){
	"chain":        genChain,
	"tightchain":   genTightChain,
	"nest":         genNest,
	"parens":       genParens,
	"prefix":       genPrefix,
	"macrodouble":  genMacroDouble,
	"definedouble": genDefineDouble,
	"repeat":       genRepeat,
	"stmts":        genStmts,
}

func count(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	return n, nil
}

// text joins the words from i on (the rest of the line), decoded as a
// case's script is (unescapeCase).
func text(args []string, i int) string {
	if i >= len(args) {
		return ""
	}
	return unescapeCase(strings.Join(args[i:], " "))
}

// chain OP N [TEMPLATE]: 1 OP 1 OP ... 1 in TEMPLATE at %s.
func genChain(args []string) (string, error) {
	if len(args) < 2 {
		return "", fmt.Errorf("chain OP N [TEMPLATE]")
	}
	n, err := count(args[1])
	if err != nil || n < 1 {
		return "", fmt.Errorf("chain: bad count %q", args[1])
	}
	tmpl := text(args, 2)
	if tmpl == "" {
		tmpl = "BEGIN { $x = %s; }"
	}
	var b strings.Builder
	b.Grow(n * (len(args[0]) + 3))
	b.WriteString("1")
	for i := 1; i < n; i++ {
		b.WriteString(" " + args[0] + " 1")
	}
	return strings.Replace(tmpl, "%s", b.String(), 1) + "\n", nil
}

// tightchain OP N [TEMPLATE]: 1OP1OP...1, without spaces (the most
// operators a script of a given size can hold).
func genTightChain(args []string) (string, error) {
	if len(args) < 2 {
		return "", fmt.Errorf("tightchain OP N [TEMPLATE]")
	}
	n, err := count(args[1])
	if err != nil || n < 1 {
		return "", fmt.Errorf("tightchain: bad count %q", args[1])
	}
	tmpl := text(args, 2)
	if tmpl == "" {
		tmpl = "BEGIN { $x = %s; }"
	}
	return strings.Replace(tmpl, "%s", "1"+strings.Repeat(args[0]+"1", n-1), 1) + "\n", nil
}

// nest KIND N INNER: INNER inside N nested blocks of KIND.
func genNest(args []string) (string, error) {
	if len(args) < 2 {
		return "", fmt.Errorf("nest KIND N INNER")
	}
	n, err := count(args[1])
	if err != nil {
		return "", err
	}
	kinds := map[string][2]string{
		"if":    {"if (1) { ", "} "},
		"while": {"while (1) { ", "} "},
		"block": {"{ ", "} "},
		"angle": {"if (1) < ", "> "},
	}
	k, ok := kinds[args[0]]
	if !ok {
		return "", fmt.Errorf("nest: unknown kind %q", args[0])
	}
	open, close := k[0], k[1]
	return "BEGIN { " + strings.Repeat(open, n) + text(args, 2) + " " + strings.Repeat(close, n) + "}\n", nil
}

// parens N: N parentheses around 1.
func genParens(args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("parens N")
	}
	n, err := count(args[0])
	if err != nil {
		return "", err
	}
	return "BEGIN { $x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "; }\n", nil
}

// prefix OP N: N prefix operators before 1.
func genPrefix(args []string) (string, error) {
	if len(args) != 2 {
		return "", fmt.Errorf("prefix OP N")
	}
	n, err := count(args[1])
	if err != nil {
		return "", err
	}
	return "BEGIN { $x = " + strings.Repeat(args[0]+" ", n) + "1; }\n", nil
}

// macrodouble N: a macro doubling its argument, called N deep.
func genMacroDouble(args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("macrodouble N")
	}
	n, err := count(args[0])
	if err != nil {
		return "", err
	}
	return "macro d(x) { x + x }\nBEGIN { $a = " + strings.Repeat("d(", n) + "1" + strings.Repeat(")", n) + "; }\n", nil
}

// definedouble N: N #defines, each twice the one before.
func genDefineDouble(args []string) (string, error) {
	if len(args) != 1 {
		return "", fmt.Errorf("definedouble N")
	}
	n, err := count(args[0])
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("#define D0 1\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "#define D%d (D%d + D%d)\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "BEGIN { $a = D%d; }\n", n)
	return b.String(), nil
}

// repeat N TEXT: TEXT N times.
func genRepeat(args []string) (string, error) {
	if len(args) < 2 {
		return "", fmt.Errorf("repeat N TEXT")
	}
	n, err := count(args[0])
	if err != nil {
		return "", err
	}
	return strings.Repeat(text(args, 1), n), nil
}

// stmts N TEXT: a BEGIN probe of TEXT N times.
func genStmts(args []string) (string, error) {
	body, err := genRepeat(args)
	if err != nil {
		return "", err
	}
	return "BEGIN {\n" + body + "}\n", nil
}
