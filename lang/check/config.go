package check

import (
	"strconv"
	"strings"

	"github.com/gobpftrace/gobpftrace/lang"
	"github.com/gobpftrace/gobpftrace/stdlib"
	"github.com/gobpftrace/gobpftrace/stdlib/probetype"
)

// checkConfig resolves the config block and environment settings into
// c.out.Config. Environment settings win over the config block.
func (c *checker) checkConfig() {
	c.out.Config = lang.Config{MaxStrlen: stdlib.DefaultMaxStrlen, MaxMapKeys: stdlib.DefaultMaxMapKeys, MaxProbes: stdlib.DefaultMaxProbes, StrTruncTrailer: stdlib.DefaultStrTruncTrailer}
	if cb := c.prog.Config; cb != nil {
		for _, it := range cb.Items {
			if it == nil {
				continue
			}
			if stdlib.IsDeprecatedConfig(it.Name) {
				// bpftrace v0.26's words, at the whole setting; the value
				// is not looked at.
				c.warnf(it.Span, "%s is deprecated and has no effect", it.Name)
				continue
			}
			cv := stdlib.LookupConfig(it.Name)
			if cv == nil {
				// bpftrace's words, under the name alone.
				if stdlib.IsEnvOnlyConfig(it.Name) {
					c.errorf(configNameSpan(it), "%s can only be set as an environment variable", strings.TrimPrefix(strings.ToLower(it.Name), "bpftrace_"))
					c.hintf("set it for the run: BPFTRACE_%s=VALUE gobpftrace ...", strings.ToUpper(strings.TrimPrefix(strings.ToLower(it.Name), "bpftrace_")))
					continue
				}
				c.errorf(configNameSpan(it), "Unrecognized config variable: %s", it.Name)
				if s := suggest(it.Name, configNames()); s != "" {
					c.hintf("did you mean %s?", s)
				}
				continue
			}
			c.setConfig(cv, configText(it.Value), it.Span, true)
		}
	}
	for k, v := range c.opts.Env {
		cv := stdlib.LookupConfig(k)
		if cv == nil {
			continue
		}
		c.setConfig(cv, v, lang.Span{}, false)
	}
}

// configNameSpan is the name of a config setting, where an unknown one
// is reported: the item starts with it.
func configNameSpan(it *lang.ConfigItem) lang.Span {
	sp := it.Span
	if sp.Start.Line == sp.End.Line && sp.End.Offset-sp.Start.Offset > len(it.Name) {
		sp.End = sp.Start
		sp.End.Offset += len(it.Name)
		sp.End.Col += len(it.Name)
	}
	return sp
}

// configNames are the settings a config block may set.
func configNames() []string {
	names := make([]string, len(stdlib.ConfigVars))
	for i, cv := range stdlib.ConfigVars {
		names[i] = cv.Name
	}
	return names
}

func configText(e lang.Expr) string {
	switch v := e.(type) {
	case *lang.IntLit:
		return strconv.FormatUint(v.Value, 10)
	case *lang.StrLit:
		return v.Value
	case *lang.BoolLit:
		return strconv.FormatBool(v.Value)
	case *lang.Ident:
		return v.Name
	}
	return ""
}

func (c *checker) setConfig(cv *stdlib.ConfigVar, text string, span lang.Span, fromScript bool) {
	if c.setWordConfig(cv, text, span, fromScript) {
		return
	}
	if cv.Name == "str_trunc_trailer" {
		c.out.Config.StrTruncTrailer = text
		return
	}
	if cv.Name == "stack_mode" {
		if !stackModes[text] && text != "build_id" {
			msg := "Invalid value for stack_mode: valid values are bpftrace, raw, perf and build_id."
			if fromScript {
				c.errorf(span, "%s", msg)
			} else {
				d := lang.Errorf(lang.Span{}, "Invalid value for BPFTRACE_STACK_MODE: valid values are bpftrace, raw, perf and build_id.")
				d.Global = true
				c.errs = append(c.errs, d)
			}
			return
		}
		c.out.Config.StackMode = text
		return
	}
	if !cv.Int {
		return
	}
	// Settings from the environment are reported without a script position.
	report := func(format string, args ...any) {
		if fromScript {
			c.errorf(span, format, args...)
			return
		}
		d := lang.Errorf(lang.Span{}, format, args...)
		d.Global = true
		c.errs = append(c.errs, d)
	}
	name := cv.Name
	if !fromScript {
		name = "BPFTRACE_" + strings.ToUpper(cv.Name)
	}
	u, err := strconv.ParseUint(strings.TrimSpace(text), 0, 64)
	if err != nil {
		if fromScript {
			report("Invalid value for %s: expected a non-negative integer", name)
		} else {
			report("Invalid value for %s: %q is not a non-negative integer", name, text)
		}
		return
	}
	// Every setting has a ceiling (configMax): a value past it is refused
	// with the key and the bound, never wrapped or handed to the kernel.
	// Below the ceiling, n fits an int.
	inRange := func(lo, hi uint64) bool {
		if u < lo || u > hi {
			report("%s must be between %d and %d (%d given)", name, lo, hi, u)
			return false
		}
		return true
	}
	n := int(min(u, 1<<40))
	switch cv.Name {
	case "max_strlen":
		if inRange(1, configMax[cv.Name]) {
			c.out.Config.MaxStrlen = n
		}
	case "max_map_keys":
		if inRange(1, configMax[cv.Name]) {
			c.out.Config.MaxMapKeys = n
		}
	case "max_probes":
		if inRange(1, configMax[cv.Name]) {
			c.out.Config.MaxProbes = n
		}
	case "max_cat_bytes":
		if inRange(1, configMax[cv.Name]) {
			c.out.Config.MaxCatBytes = n
		}
	case "perf_rb_pages":
		if inRange(1, configMax[cv.Name]) {
			c.out.Config.PerfRbPages = n
		}
	case "on_stack_limit":
		if u > configMax[cv.Name] {
			report("%s must be at most 512, the size of the BPF stack (%d given)", name, u)
			return
		}
		// Below 8 bytes it is 8: every slot is 8 bytes, and a few (the
		// scratch buffer's key) must be on the stack.
		c.out.Config.OnStackLimit = max(n, 8)
	case "log_size":
		if inRange(1, configMax[cv.Name]) {
			c.out.Config.LogSize = n
		}
	case "max_bpf_progs":
		inRange(1, configMax[cv.Name]) // accepted, has no effect
	}
}

// configMax is the largest value of each numeric setting. Each bounds
// what one setting can make gobpftrace or the kernel allocate: max_strlen
// the strings on the BPF side, max_map_keys each map (the kernel refuses
// larger hash maps of histograms anyway), max_cat_bytes what one cat()
// reads and prints, perf_rb_pages the ring buffer (1 GiB), log_size the
// verifier log (the kernel's own limit, 1 GiB), on_stack_limit the BPF
// stack itself.
var configMax = map[string]uint64{
	"max_strlen":     1 << 20,
	"max_map_keys":   1 << 24,
	"max_probes":     1 << 20,
	"max_bpf_progs":  1 << 20,
	"max_cat_bytes":  1 << 24,
	"perf_rb_pages":  1 << 18,
	"on_stack_limit": 512,
	"log_size":       1 << 30,
}

// ConfigMax returns the largest value setting name accepts (0 for a
// setting that is not a number), for documentation and tests.
func ConfigMax(name string) uint64 { return configMax[name] }

// setWordConfig handles the settings whose values are words: the
// booleans (print_maps_on_exit, cpp_demangle, show_debug_info), missing_probes, the unstable_* feature settings and license. It reports whether cv is one.
func (c *checker) setWordConfig(cv *stdlib.ConfigVar, text string, span lang.Span, fromScript bool) bool {
	name := cv.Name
	if !fromScript {
		name = "BPFTRACE_" + strings.ToUpper(cv.Name)
	}
	report := func(format string, args ...any) {
		if fromScript {
			c.errorf(span, format, args...)
			return
		}
		d := lang.Errorf(lang.Span{}, format, args...)
		d.Global = true
		c.errs = append(c.errs, d)
	}
	switch cv.Name {
	case "print_maps_on_exit", "cpp_demangle", "show_debug_info":
		on, ok := configBool(text)
		if !ok {
			report("Invalid value for %s: valid values are true and false.", name)
			break
		}
		switch cv.Name {
		case "print_maps_on_exit":
			c.out.Config.NoPrintMapsOnExit = !on
		case "cpp_demangle":
			c.out.Config.NoCppDemangle = !on
		case "show_debug_info":
			c.out.Config.ShowDebugInfo = on
		}
	case "missing_probes":
		switch text {
		case "error", "warn", "ignore":
			c.out.Config.MissingProbes = text
		default:
			report("Invalid value for %s: valid values are error, warn and ignore.", name)
		}
	case "unstable_addr", "unstable_map_decl", "unstable_tseries", "unstable_import":
		switch text {
		case "error", "warn", "enable":
			switch cv.Name {
			case "unstable_addr":
				c.out.Config.UnstableAddr = text
			case "unstable_map_decl":
				c.out.Config.UnstableMapDecl = text
			case "unstable_tseries":
				c.out.Config.UnstableTseries = text
			}
			// unstable_import: gobpftrace has no import statements.
		default:
			report("Invalid value for %s: valid values are error, warn and enable.", name)
		}
	case "license":
		if text == "" {
			report("Invalid value for %s: the license may not be empty.", name)
			return true
		}
		c.out.Config.License = text
	default:
		return false
	}
	return true
}

// checkPreamble looks at directives, C definitions, macros and map declarations.
func (c *checker) checkPreamble() {
	c.checkCDefs()
	kinds := map[string]bool{"hash": true, "lruhash": true, "percpuhash": true, "percpulruhash": true, "percpuarray": true}
	for _, d := range c.prog.MapDecls {
		if d == nil {
			continue
		}
		if !kinds[d.Kind] {
			c.errorf(d.Span, "Invalid bpf map type: %s", d.Kind)
			c.hintf("Valid map types: hash, lruhash, percpuarray, percpuhash, percpulruhash")
			continue
		}
		if d.Kind == "percpuarray" && d.MaxEntries != 1 {
			c.errorf(d.Span, "Max entries can only be 1 for map type percpuarray")
			continue
		}
		if d.MaxEntries <= 0 {
			c.errorf(d.Span, "Map declaration %s needs a positive number of entries", d.Name)
			continue
		}
		if m := c.maps[d.Name]; m != nil {
			c.errorf(d.Span, "Map %s is declared twice", d.Name)
			continue
		}
		if !c.unstable(unstableMapDecl, d.Span) {
			continue
		}
		c.newMap(d.Name, d.Span).Decl = d
	}
}

// checkProbeCount refuses a script with more attach points (wildcards
// expanded) than max_probes: attaching hundreds of probes slows the whole
// system down, and the limit makes that a decision.
func (c *checker) checkProbeCount() {
	n := 0
	for _, p := range c.out.Probes {
		multi := map[*lang.AttachPoint]bool{}
		for _, r := range p.Attach {
			// As in bpftrace, the matches of a uprobe wildcard, attached
			// with one uprobe_multi link, count as one probe.
			if isUprobeMulti(r) {
				if multi[r.Point] {
					continue
				}
				multi[r.Point] = true
			}
			n++
		}
	}
	if limit := c.out.Config.MaxProbes; limit > 0 && n > limit {
		d := lang.Errorf(lang.Span{}, "Can't attach to %d probes because it exceeds the current limit of %d probes.", n, limit)
		d.Global = true
		d.Hint = "raise the limit with BPFTRACE_MAX_PROBES or config = { max_probes = N }, knowing that many probes slow the traced system down"
		c.errs = append(c.errs, d)
	}
}

// isUprobeMulti reports whether r is a match of a uprobe or uretprobe
// wildcard over function names (codegen gives those one uprobe_multi
// program).
func isUprobeMulti(r *lang.Resolved) bool {
	if (r.Provider != probetype.Uprobe && r.Provider != probetype.Uretprobe) || r.Symbol == "" || r.Offset != 0 || r.Point == nil || len(r.Point.Parts) == 0 {
		return false
	}
	return strings.ContainsAny(r.Point.Parts[len(r.Point.Parts)-1], "*?")
}

// checkMapDecls checks declared maps against their use: a declared map
// must be used, and the kind declared must fit the values stored (plain
// values in a hash or lruhash, aggregations with keys in a percpuhash or
// percpulruhash, an aggregation without keys in a percpuarray).
func (c *checker) checkMapDecls() {
	firstUse := map[string]*lang.MapExpr{}
	for _, m := range c.mapUses {
		if firstUse[m.Name] == nil {
			firstUse[m.Name] = m
		}
	}
	for _, d := range c.prog.MapDecls {
		if d == nil {
			continue
		}
		sym := c.maps[d.Name]
		if sym == nil || sym.Decl != d {
			continue
		}
		use := firstUse[d.Name]
		if use == nil {
			c.warnf(d.Span, "Unused map: %s", d.Name)
			continue
		}
		if sym.Value == nil || sym.Value.Kind == lang.KNone {
			continue
		}
		want := mapKindFor(sym)
		if mapKindFamily[want] != mapKindFamily[d.Kind] {
			c.errorf(use.Span, "Incompatible map types. Type from declaration: %s. Type from value/key type: %s", d.Kind, want)
		}
	}
}

// mapKindFor is the declaration kind a map's values call for.
func mapKindFor(m *lang.MapSym) string {
	if !m.Value.IsAggregation() {
		return "hash"
	}
	scalar := m.Key == nil || m.Key.Kind == lang.KNone || m.Key.Kind == lang.KVoid
	if scalar && m.Value.Kind != lang.KHist && m.Value.Kind != lang.KLhist {
		return "percpuarray"
	}
	return "percpuhash"
}

// mapKindFamily groups the kinds that hold the same values (LRU or not).
var mapKindFamily = map[string]string{
	"hash": "hash", "lruhash": "hash",
	"percpuhash": "percpuhash", "percpulruhash": "percpuhash",
	"percpuarray": "percpuarray",
}

// configBool reads a boolean setting: true or 1, false or 0, in any case.
func configBool(text string) (on, ok bool) {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}
