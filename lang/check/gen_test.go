package check

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestGenDiag prints table entries for the scripts in $GEN (development aid).
func TestGenDiag(t *testing.T) {
	srcs := os.Getenv("GEN")
	if srcs == "" {
		t.Skip()
	}
	for _, src := range strings.Split(srcs, "\n") {
		_, _, err := run(t, src, Options{Params: testParams})
		if err == nil {
			fmt.Printf("// NO ERROR: %s\n", src)
			continue
		}
		fmt.Printf("\t\t{%q,\n\t\t\t%q},\n", src, err.Error())
	}
}
