package script_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gobpftrace/gobpftrace/runtime/internal/kerneltest"
	"github.com/gobpftrace/gobpftrace/runtime/script"
)

// cxxTarget builds testdata/helpers/cxxtarget.cpp with g++ (frame
// pointers kept, so the kernel walks its stack).
func cxxTarget(t *testing.T) string {
	t.Helper()
	gxx, err := exec.LookPath("g++")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("g++ is missing (.ci/run installs it)")
		}
		t.Skip("no g++")
	}
	bin := filepath.Join(t.TempDir(), "cxxtarget")
	out, err := exec.Command(gxx, "-O1", "-fno-omit-frame-pointer", "-o", bin, "../../testdata/helpers/cxxtarget.cpp").CombinedOutput()
	if err != nil {
		t.Fatalf("g++: %v\n%s", err, out)
	}
	return bin
}

// User stacks of a C++ program show its functions as its source names
// them (config cpp_demangle, on by default), in the typed frames and in
// the text output; with cpp_demangle = false they keep the names the
// binary has.
func TestUserStacksDemangled(t *testing.T) {
	kerneltest.RequireRoot(t)
	bin := cxxTarget(t)
	for _, c := range []struct {
		config map[string]string
		want   []string // the stack's symbols, innermost first
	}{
		{nil, []string{"shapes::Widget::poke(int)", "shapes::run(shapes::Widget&, int)", "main"}},
		{map[string]string{"cpp_demangle": "false"}, []string{"_ZN6shapes6Widget4pokeEi", "_ZN6shapes3runERNS_6WidgetEi", "main"}},
	} {
		src := "uprobe:" + bin + ":_ZN6shapes6Widget4pokeEi { @[ustack(3)] = count(); }"
		s := compile(t, src, script.Options{Command: []string{bin, "4"}, Config: c.config})
		var out strings.Builder
		sess, err := s.Start(context.Background(), script.RunOptions{Output: &out})
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.Wait(); err != nil { // it ends when cxxtarget does
			t.Fatal(err)
		}
		m, err := sess.Map("@")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Entries) != 1 || m.Entries[0].Value != uint64(4) {
			t.Fatalf("%v: @ = %+v, want one stack called 4 times", c.config, m.Entries)
		}
		st := m.Entries[0].Key.(script.Stack)
		var syms []string
		for _, f := range st.Frames {
			syms = append(syms, f.Symbol)
			if f.Module != bin {
				t.Errorf("frame %+v is not in %s", f, bin)
			}
		}
		if !st.User || !reflect.DeepEqual(syms, c.want) {
			t.Errorf("%v: stack %q, want %q", c.config, syms, c.want)
		}
		if st.Frames[0].Text != c.want[0]+"+0" || !strings.Contains(out.String(), "\n    "+c.want[0]+"+0\n    "+c.want[1]+"+") {
			t.Errorf("%v: text output\n%s", c.config, out.String())
		}
	}
}
