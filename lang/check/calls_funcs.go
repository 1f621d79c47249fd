package check

import (
	"errors"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/lang/parser"
)

// pton("1.2.3.4") is the address's bytes: uint8[4] for IPv4, uint8[16]
// for IPv6, decided by a '.' or a ':' in the text as bpftrace does.
func (c *checker) pton(call *lang.Call) *lang.Type {
	t := c.expr(call.Args[0])
	lit, ok := call.Args[0].(*lang.StrLit)
	if !ok {
		if known(t) {
			c.errorf(call.Span, "pton() expects an string literal, got %s", t)
		}
		return tNone
	}
	if !strings.ContainsAny(lit.Value, ".:") {
		c.errorf(call.Span, "pton() expects an string argument of an IPv4/IPv6 address, got %s", lit.Value)
		return tNone
	}
	b, ok := PtonBytes(lit.Value)
	if !ok {
		c.errorf(call.Span, "pton() expects a valid IPv4/IPv6 address, got %s", lit.Value)
		return tNone
	}
	return &lang.Type{Kind: lang.KArray, Elem: lang.TUint8, Len: len(b), Size: len(b)}
}

// PtonBytes parses an address literal of pton(): as IPv4 when it has a
// '.', else as IPv6 when it has a ':', as bpftrace decides (so
// "::ffff:1.2.3.4" is no valid argument).
func PtonBytes(text string) ([]byte, bool) {
	switch {
	case strings.Contains(text, "."):
		a, err := netip.ParseAddr(text)
		if err != nil || !a.Is4() {
			return nil, false
		}
		b := a.As4()
		return b[:], true
	case strings.Contains(text, ":"):
		a, err := netip.ParseAddr(text)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return nil, false
		}
		b := a.As16()
		return b[:], true
	}
	return nil, false
}

// Signals maps signal names (without "SIG") to numbers, for signal().
var Signals = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7,
	"FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14,
	"TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21,
	"TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28,
	"IO": 29, "POLL": 29, "PWR": 30, "SYS": 31,
}

// SignalNumber resolves a signal name ("SIGKILL" or "KILL").
func SignalNumber(name string) (int, bool) {
	n, ok := Signals[strings.TrimPrefix(name, "SIG")]
	return n, ok
}

// maxSignal is the largest signal number (SIGRTMAX).
const maxSignal = 64

// signal(sig): a signal name literal, or an integer (a constant one must
// be a valid signal number).
func (c *checker) signal(call *lang.Call) {
	a := call.Args[0]
	t := c.expr(a)
	if !known(t) {
		return
	}
	if lit, ok := a.(*lang.StrLit); ok {
		if _, ok := SignalNumber(lit.Value); !ok {
			c.errorf(a.Pos(), "Trying to send an invalid signal: %s", lit.Value)
			c.hintf("name a signal such as SIGTERM or KILL, or give its number (1-%d)", maxSignal)
		}
		return
	}
	if !t.IsInt() {
		c.errorf(call.Span, "signal() only accepts a signal name literal or an integer (%s provided)", t)
		return
	}
	if n, ok := c.constInt(a); ok && (n < 1 || n > maxSignal) {
		c.errorf(a.Pos(), "signal() expects a signal number between 1 and %d (%d provided)", maxSignal, n)
	}
}

// cgroupid("/sys/fs/cgroup/x") resolves the cgroup's id at compile time.
func (c *checker) cgroupid(call *lang.Call, path string) {
	if c.env == nil {
		return
	}
	ce, ok := c.env.(lang.CgroupEnv)
	if !ok {
		return
	}
	id, err := ce.CgroupID(path)
	if errors.Is(err, errNoSystemInfo) {
		return
	}
	if err != nil {
		c.errorf(call.Span, "Failed to get cgroupid for '%s': %v", path, err)
		c.hintf("cgroupid() takes the path of a directory of the cgroup v2 hierarchy (mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified)")
		return
	}
	if c.out.CgroupIDs == nil {
		c.out.CgroupIDs = map[string]uint64{}
	}
	c.out.CgroupIDs[path] = id
}

// SplitNamedArgs separates getopt's named arguments (--name or
// --name=value, after "--" on the command line) from the positional
// parameters.
func SplitNamedArgs(params []string) (positional []string, named map[string]string) {
	for _, p := range params {
		name, ok := strings.CutPrefix(p, "--")
		if !ok || name == "" {
			positional = append(positional, p)
			continue
		}
		if named == nil {
			named = map[string]string{}
		}
		if k, v, ok := strings.Cut(name, "="); ok {
			named[k] = v
		} else {
			named[name] = "\x00" // given without a value
		}
	}
	return positional, named
}

// getopt("name"[, default]) is the named argument's value, typed by the
// default (bool without one), fixed at compile time.
func (c *checker) getopt(call *lang.Call) *lang.Type {
	if !c.wantLiteral(call, call.Args[0]) {
		c.exprs(call.Args[1:min(len(call.Args), 2)])
		return tNone
	}
	name := call.Args[0].(*lang.StrLit).Value
	given, isSet := c.opts.named[name]
	if len(call.Args) == 3 {
		if _, ok := call.Args[2].(*lang.StrLit); !ok {
			c.errorf(call.Args[2].Pos(), "getopt()'s third argument, the option's description, must be a string literal")
			return tNone
		}
		c.expr(call.Args[2])
	}
	var def lang.Expr
	if len(call.Args) > 1 {
		def = call.Args[1]
	}
	defaults := call.Args[1:min(len(call.Args), 2)]
	var t *lang.Type
	value := ""
	switch d := def.(type) {
	case nil, *lang.BoolLit:
		c.exprs(defaults)
		t, value = lang.TBool, "0"
		if d, ok := d.(*lang.BoolLit); ok && d.Value {
			value = "1"
		}
		if isSet {
			v, ok := boolOption(given)
			if !ok {
				c.errorf(call.Span, "getopt(): --%s takes true, false, 1, 0, yes, no, on or off (%q given)", name, given)
				return tNone
			}
			value = v
		}
	case *lang.StrLit:
		c.expr(d)
		value = d.Value
		if given == "\x00" {
			c.errorf(call.Span, "getopt(): --%s takes a string: give it as --%s=VALUE", name, name)
			return tNone
		}
		if isSet {
			value = given
		}
		t = lang.StringType(min(max(len(value)+1, len(d.Value)+1), c.out.Config.MaxStrlen))
	default:
		dt := c.expr(def)
		n, ok := c.constInt(def)
		if !known(dt) {
			return tNone
		}
		if !ok || !dt.IsInt() {
			c.errorf(def.Pos(), "getopt() default must be a literal: an integer, a string or a bool")
			return tNone
		}
		t, value = lang.TInt64, strconv.FormatInt(n, 10)
		if isSet {
			v, err := namedInt(given)
			if given == "\x00" {
				c.errorf(call.Span, "getopt(): --%s takes an integer: give it as --%s=N", name, name)
				return tNone
			}
			if err != nil {
				c.errorf(call.Span, "getopt(): --%s takes an integer (%q given)", name, given)
				return tNone
			}
			value = strconv.FormatInt(v, 10)
		}
	}
	if c.out.Getopts == nil {
		c.out.Getopts = map[string]string{}
	}
	c.out.Getopts[name] = value
	return t
}

// namedInt reads an integer option given after -- (--threshold=10ms) by
// the rules of the script's integer literals, as bpftrace does: '_'
// separators, 0x/0 prefixes, an exponent (1e6), C suffixes and time units
// (in nanoseconds), with a leading '-'; it must fit an int64.
func namedInt(given string) (int64, error) {
	neg := strings.HasPrefix(given, "-")
	u, err := parser.ParseIntLiteral(strings.TrimPrefix(given, "-"))
	switch {
	case err != nil:
		return 0, err
	case neg && u <= 1<<63:
		return int64(-u), nil
	case !neg && u <= math.MaxInt64:
		return int64(u), nil
	}
	return 0, strconv.ErrRange
}
