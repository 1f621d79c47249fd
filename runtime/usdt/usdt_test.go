package usdt

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseArg(t *testing.T) {
	tests := []struct {
		spec string
		want Arg
	}{
		{"-4@%eax", Arg{Size: 4, Signed: true, Kind: ArgReg, Reg: "rax"}},
		{"8@%rdi", Arg{Size: 8, Kind: ArgReg, Reg: "rdi"}},
		{"1@%r8b", Arg{Size: 1, Kind: ArgReg, Reg: "r8"}},
		{"2@%r12w", Arg{Size: 2, Kind: ArgReg, Reg: "r12"}},
		{"-4@%r15d", Arg{Size: 4, Signed: true, Kind: ArgReg, Reg: "r15"}},
		{"1@%sil", Arg{Size: 1, Kind: ArgReg, Reg: "rsi"}},
		{"8@-16(%rbp)", Arg{Size: 8, Kind: ArgMem, Reg: "rbp", Value: -16}},
		{"-4@112(%rsp)", Arg{Size: 4, Signed: true, Kind: ArgMem, Reg: "rsp", Value: 112}},
		{"8@(%rax)", Arg{Size: 8, Kind: ArgMem, Reg: "rax"}},
		{"8@8(%rax,%rdx,8)", Arg{Size: 8, Kind: ArgMem, Reg: "rax", Value: 8, Index: "rdx", Scale: 8}},
		{"4@$5", Arg{Size: 4, Kind: ArgConst, Value: 5}},
		{"-8@$-1", Arg{Size: 8, Signed: true, Kind: ArgConst, Value: -1}},
		{"%rbx", Arg{Size: 8, Kind: ArgReg, Reg: "rbx"}},
		// A global variable, as GCC writes its operand.
		{"8@g_u64(%rip)", Arg{Size: 8, Kind: ArgMem, Reg: "rip", Symbol: "g_u64"}},
		{"-4@table+8(%rip)", Arg{Size: 4, Signed: true, Kind: ArgMem, Reg: "rip", Symbol: "table", Value: 8}},
		{"2@buf.1-0x10(%rip)", Arg{Size: 2, Kind: ArgMem, Reg: "rip", Symbol: "buf.1", Value: -16}},
		{"-2@4+g_arr(%rip)", Arg{Size: 2, Signed: true, Kind: ArgMem, Reg: "rip", Symbol: "g_arr", Value: 4}},
	}
	for _, tc := range tests {
		got, err := ParseArg(tc.spec)
		tc.want.Spec = tc.spec
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v %v, want %+v", tc.spec, got, err, tc.want)
		}
	}
	for _, bad := range []string{"3@%eax", "8@%xmm0", "8@foo(%rip)x", "x@%eax", "8@$x", "8@16(%rax,%rbx,3)",
		"8@foo(%rax)", "8@foo(%rip,%rax,2)", "8@1foo(%rip)", "8@foo+x(%rip)", "8@4-foo(%rip)", "8@a+b(%rip)", "8@+(%rip)"} {
		if _, err := ParseArg(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	args, err := ParseArgs("8@%rbp 8@%r12 -4@%eax")
	if err != nil || len(args) != 3 || args[2].Reg != "rax" {
		t.Errorf("ParseArgs: %+v %v", args, err)
	}
}

// The notes of the end-to-end helper, built here.
func TestReadNotes(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("gcc is needed in CI")
		}
		t.Skip("no gcc")
	}
	bin := filepath.Join(t.TempDir(), "uprobetarget")
	out, err := exec.Command("gcc", "-O2", "-o", bin, "../../testdata/helpers/uprobetarget.c").CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	notes, err := ReadNotes(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 {
		t.Fatalf("%d notes: %+v", len(notes), notes)
	}
	tick, guarded := notes[0], notes[1]
	if tick.Provider != "gbt" || tick.Name != "tick" || tick.Semaphore != 0 || tick.Location == 0 || tick.LocationOffset == 0 {
		t.Errorf("tick: %+v", tick)
	}
	if guarded.Provider != "gbt" || guarded.Name != "guarded" || guarded.Semaphore == 0 || guarded.SemaphoreOffset == 0 {
		t.Errorf("guarded: %+v", guarded)
	}
	args, err := ParseArgs(tick.Args)
	if err != nil || len(args) != 4 || args[1].Kind != ArgConst || args[1].Value != 42 || args[2].Kind != ArgMem || args[3].Kind != ArgMem || !args[3].Signed || args[3].Size != 4 {
		t.Errorf("tick args %q: %+v %v", tick.Args, args, err)
	}
	// A file without notes has none.
	if n, err := ReadNotes("/proc/self/exe"); err != nil || len(n) != 0 {
		t.Errorf("test binary: %d notes, %v", len(n), err)
	}
	if _, err := ReadNotes("/nonexistent"); err == nil {
		t.Error("no error for a missing file")
	}
}
