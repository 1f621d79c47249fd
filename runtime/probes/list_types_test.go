package probes

import (
	"strings"
	"testing"
)

// -l lists kernel structs, unions and enums by name; -lv prints their C
// definitions (types whose layout the kernel's ABI fixes).
func TestListKernelTypes(t *testing.T) {
	for _, c := range []struct {
		pattern string
		verbose bool
		want    string
	}{
		{"struct list_hea?", false, "struct list_head\n"},
		{"struct path", true, "struct path {\n\tstruct vfsmount *mnt;\n\tstruct dentry *dentry;\n};\n"},
		{"struct list_head", true, "struct list_head {\n\tstruct list_head *next;\n\tstruct list_head *prev;\n};\n"},
		{"enum tcp_ca_state", true, "enum tcp_ca_state {\n\tTCP_CA_Open = 0,\n\tTCP_CA_Disorder = 1,\n\tTCP_CA_CWR = 2,\n\tTCP_CA_Recovery = 3,\n\tTCP_CA_Loss = 4,\n};\n"},
		{"union no_such_union_here", true, ""},
	} {
		var out, warn strings.Builder
		if err := List(&out, &warn, c.pattern, c.verbose, 0); err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if out.String() != c.want {
			t.Errorf("-l %q (verbose %v):\n%s\nwant:\n%s", c.pattern, c.verbose, out.String(), c.want)
		}
	}
	// Function pointers, bitfields and anonymous members, as C writes them.
	var out, warn strings.Builder
	if err := List(&out, &warn, "struct sock_common", true, 0); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"\t\tstruct {\n\t\t\t__be32 skc_daddr;\n", "\tunsigned char skc_reuse: 4;\n", "\tstruct proto *skc_prot;\n"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("struct sock_common has no %q:\n%s", line, out.String())
		}
	}
	out.Reset()
	if err := List(&out, &warn, "struct file_operations", true, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\tssize_t (*read)(struct file *, char *, size_t, loff_t *);\n") {
		t.Errorf("struct file_operations has no read method:\n%s", out.String())
	}
}
