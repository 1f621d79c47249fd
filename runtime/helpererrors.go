package runtime

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/gobpftrace/gobpftrace/codegen"
	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/runtime/output"
)

// helperError prints an EvHelperError record (-k): a warning at the
// script's code in text mode, a helper_error line in JSON mode, both in
// bpftrace v0.26's shapes.
func (d *dispatcher) helperError(ev *codegen.Event, rec []byte) {
	if len(ev.Args) == 0 || ev.Args[0].Offset+8 > len(rec) {
		d.warn("helper error: record too short")
		return
	}
	ret := int64(binary.LittleEndian.Uint64(rec[ev.Args[0].Offset:]))
	if d.json {
		output.JSONHelperError(d.out, strerror(ret), ev.Helper, ret, d.plan.File, ev.Span.Start.Line, ev.Span.Start.Col)
		return
	}
	msg := helperErrorMessage(ev.Helper, ret) + "\nAdditional Info - helper: " + ev.Helper + ", retcode: " + strconv.FormatInt(ret, 10)
	d.out.Flush()
	fmt.Fprint(d.stderr, lang.Format(d.plan.File, d.plan.Source, &lang.Diagnostic{Span: ev.Span, Severity: lang.SevWarning, Msg: msg}))
}

// helperErrorMessage explains a failure as bpftrace does: the usual
// map failures in words, anything else by its errno text.
func helperErrorMessage(helper string, ret int64) string {
	switch {
	case helper == "map_update_elem" && ret == -int64(syscall.E2BIG):
		return "Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`"
	case helper == "map_delete_elem" && ret == -int64(syscall.ENOENT):
		return "Can't delete map element because it does not exist."
	case helper == "map_lookup_elem":
		return "Can't lookup map element because it does not exist."
	}
	return strerror(ret)
}

// strerror is C's strerror(-ret): Go's text for the errno with a capital
// letter, as glibc writes it ("Bad address").
func strerror(ret int64) string {
	if ret == 0 {
		return "Success"
	}
	s := syscall.Errno(-ret).Error()
	if strings.HasPrefix(s, "errno ") {
		return "Unknown error " + strconv.FormatInt(-ret, 10)
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
