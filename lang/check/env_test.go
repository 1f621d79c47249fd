package check

import (
	"path"
	"sort"

	"github.com/gobpftrace/gobpftrace/lang"
)

// fakeEnv is a fixed set of tracepoints.
type fakeEnv map[string]*lang.Type

func field(name string, off int, t *lang.Type) *lang.Field {
	return &lang.Field{Name: name, Offset: off, Type: t}
}

func ptr(t *lang.Type) *lang.Type { return &lang.Type{Kind: lang.KPtr, Elem: t, Size: 8} }

func array(t *lang.Type, n int) *lang.Type {
	return &lang.Type{Kind: lang.KArray, Elem: t, Len: n, Size: n * t.Size}
}

func common() []*lang.Field {
	return []*lang.Field{
		field("common_type", 0, lang.TUint16),
		field("common_flags", 2, lang.TUint8),
		field("common_preempt_count", 3, lang.TUint8),
		field("common_pid", 4, lang.TInt32),
	}
}

func tp(size int, fields ...*lang.Field) *lang.Type {
	return &lang.Type{Kind: lang.KStruct, Size: size, Fields: append(common(), fields...)}
}

var testEnv = fakeEnv{
	"raw_syscalls:sys_enter": tp(64,
		field("id", 8, lang.TInt64),
		field("args", 16, array(lang.TUint64, 6))),
	"raw_syscalls:sys_exit": tp(24,
		field("id", 8, lang.TInt64),
		field("ret", 16, lang.TInt64)),
	"syscalls:sys_enter_openat": tp(48,
		field("__syscall_nr", 8, lang.TInt32),
		field("dfd", 16, lang.TInt64),
		field("filename", 24, ptr(lang.TInt8)),
		field("flags", 32, lang.TInt64),
		field("mode", 40, lang.TUint64)),
	"syscalls:sys_enter_open": tp(40,
		field("__syscall_nr", 8, lang.TInt32),
		field("filename", 16, ptr(lang.TInt8)),
		field("flags", 24, lang.TInt64),
		field("mode", 32, lang.TUint64)),
	"syscalls:sys_enter_openat2": tp(48,
		field("__syscall_nr", 8, lang.TInt32),
		field("dfd", 16, lang.TInt64),
		field("filename", 24, ptr(lang.TInt8)),
		field("how", 32, ptr(lang.TUint8)),
		field("usize", 40, lang.TUint64)),
	"syscalls:sys_exit_openat": tp(24,
		field("__syscall_nr", 8, lang.TInt32),
		field("ret", 16, lang.TInt64)),
	"syscalls:sys_exit_open": tp(24,
		field("__syscall_nr", 8, lang.TInt32),
		field("ret", 16, lang.TInt32)),
	"sched:sched_switch": tp(64,
		field("prev_comm", 8, array(lang.TInt8, 16)),
		field("prev_pid", 24, lang.TInt32),
		field("prev_prio", 28, lang.TInt32),
		field("prev_state", 32, lang.TInt64),
		field("next_comm", 40, array(lang.TInt8, 16)),
		field("next_pid", 56, lang.TInt32),
		field("next_prio", 60, lang.TInt32)),
	"net:inet_sock": tp(16,
		field("saddr", 8, array(lang.TUint8, 4))),
	"sched:sched_process_exec": tp(24,
		&lang.Field{Name: "filename", Offset: 8, Type: ptr(lang.TInt8), DataLoc: true},
		field("pid", 12, lang.TInt32),
		field("old_pid", 16, lang.TInt32)),
}

func (e fakeEnv) Tracepoint(cat, ev string) (*lang.Type, error) {
	if t := e[cat+":"+ev]; t != nil {
		return t, nil
	}
	return nil, lang.TracepointNotFound(cat, ev)
}

func (e fakeEnv) MatchTracepoints(cat, ev string) ([][2]string, error) {
	var out [][2]string
	for k := range e {
		var c, v string
		for i := range k {
			if k[i] == ':' {
				c, v = k[:i], k[i+1:]
				break
			}
		}
		okc, _ := path.Match(cat, c)
		okv, _ := path.Match(ev, v)
		if okc && okv {
			out = append(out, [2]string{c, v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out, nil
}
