package check

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// TestTry prints what the checker says about each line of $SRC (a
// development aid; skipped without SRC).
func TestTry(t *testing.T) {
	srcs := os.Getenv("SRC")
	if srcs == "" {
		t.Skip()
	}
	for _, src := range strings.Split(srcs, "\n") {
		fmt.Printf("=== %s\n", src)
		prog, err := parser.Parse("stdin", src)
		if err != nil {
			fmt.Println("PARSE:", err)
			continue
		}
		out, err := Check(prog, "stdin", src, testEnv, Options{Params: []string{"42", "hello"}})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Print(typeDump(prog, src))
		for _, m := range out.Maps {
			fmt.Printf("map %s key=%v value=%v\n", m.Name, typeText(m.Key), typeText(m.Value))
		}
		for _, p := range out.Probes {
			for _, a := range p.Attach {
				fmt.Printf("attach %s %s %d\n", a.Provider, a.Name, a.PeriodNs)
			}
		}
		for _, w := range out.Warnings {
			fmt.Print("warn ", w.Msg, "\n")
		}
	}
}
