package probetype

import "testing"

func TestNamesUniqueAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All {
		if p.Doc == "" {
			t.Errorf("provider %s has no doc", p.Name)
		}
		for _, n := range append([]string{string(p.Name)}, p.Aliases...) {
			if seen[n] {
				t.Errorf("provider name %s twice", n)
			}
			seen[n] = true
		}
	}
}

// The properties code asks about, spelled out once more here so that a
// change to the table is a deliberate one.
func TestProperties(t *testing.T) {
	for _, c := range []struct {
		t                               Type
		ptRegs, userSpace, ret, special bool
	}{
		{Begin, false, false, false, true},
		{End, false, false, false, true},
		{Tracepoint, false, false, false, false},
		{Profile, false, false, false, false},
		{Kprobe, true, false, false, false},
		{Kretprobe, true, false, true, false},
		{Uprobe, true, true, false, false},
		{Uretprobe, true, true, true, false},
		{USDT, true, true, false, false},
		{Fentry, false, false, false, false},
		{Fexit, false, false, true, false},
		{RawTracepoint, false, false, false, false},
		{Type("nope"), false, false, false, false},
	} {
		if got := [4]bool{c.t.PtRegs(), c.t.UserSpace(), c.t.Return(), c.t.Special()}; got != [4]bool{c.ptRegs, c.userSpace, c.ret, c.special} {
			t.Errorf("%s: PtRegs, UserSpace, Return, Special = %v", c.t, got)
		}
	}
	if p := Lookup("kfunc"); p == nil || p.Name != Fentry {
		t.Errorf("Lookup(kfunc) = %+v", p)
	}
	if p := Lookup("kretfunc"); p == nil || p.Name != Fexit {
		t.Errorf("Lookup(kretfunc) = %+v", p)
	}
	if p := Lookup("t"); p == nil || p.Name != Tracepoint {
		t.Errorf("Lookup(t) = %+v", p)
	}
	if p := Lookup("begin"); p == nil || p.Name != Begin {
		t.Errorf("Lookup(begin) = %+v", p)
	}
	if Lookup("fentry:") != nil {
		t.Error("Lookup(fentry:) found a provider")
	}
}

// The words the parser, the printer, the checker and the REPL ask about
// as written in a script.
func TestBareAndBinaryFirst(t *testing.T) {
	for _, w := range []string{"BEGIN", "END", "begin", "end"} {
		if !Bare(w) {
			t.Errorf("Bare(%q) = false", w)
		}
	}
	for _, w := range []string{"Begin", "self", "bench", "test", "tracepoint", "", "BEGIN:"} {
		if Bare(w) {
			t.Errorf("Bare(%q) = true", w)
		}
	}
	for _, w := range []string{"uprobe", "u", "uretprobe", "ur", "usdt", "U"} {
		if !BinaryFirst(w) {
			t.Errorf("BinaryFirst(%q) = false", w)
		}
	}
	for _, w := range []string{"kprobe", "k", "tracepoint", "Uprobe", "uprobe_multi", ""} {
		if BinaryFirst(w) {
			t.Errorf("BinaryFirst(%q) = true", w)
		}
	}
}
