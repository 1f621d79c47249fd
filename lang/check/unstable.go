package check

import "github.com/gobpftrace/gobpftrace/lang"

// bpftrace v0.26 marks three features unstable: the address-of operator
// on variables and maps, map declarations and tseries(). Each has a
// config setting (unstable_addr, unstable_map_decl, unstable_tseries):
// warn (the default: allowed, with one warning for the whole script,
// without a position, as bpftrace logs it), enable (allowed silently) or
// error (refused where it is used, with bpftrace's words). A fourth
// setting, unstable_import, governs bpftrace's import statements, which
// gobpftrace does not have: its value is only checked (setWordConfig).
// Macros were unstable before v0.26: unstable_macro is one of the
// deprecated settings (stdlib.DeprecatedConfig), accepted with a warning.

// unstableFeature is one of them.
type unstableFeature struct {
	name   string // as the messages name it
	config string // its config setting
	// setting reads the setting's value from the script's config.
	setting func(*lang.Config) string
}

var (
	unstableAddr = &unstableFeature{"address-of operator (&)", "unstable_addr",
		func(cfg *lang.Config) string { return cfg.UnstableAddr }}
	unstableMapDecl = &unstableFeature{"map declarations", "unstable_map_decl",
		func(cfg *lang.Config) string { return cfg.UnstableMapDecl }}
	unstableTseries = &unstableFeature{"tseries", "unstable_tseries",
		func(cfg *lang.Config) string { return cfg.UnstableTseries }}
)

// unstable applies f's config setting to a use of f at span; it reports
// whether the use is allowed.
func (c *checker) unstable(f *unstableFeature, span lang.Span) bool {
	switch f.setting(&c.out.Config) {
	case "enable":
		return true
	case "error":
		c.errorf(span, "%s feature is not enabled by default. To enable this unstable feature, set the config flag to enable. %s=enable", f.name, f.config)
		c.hintf("config = { %s = enable } at the top of the script", f.config)
		return false
	}
	if c.unstableWarned == nil {
		c.unstableWarned = map[*unstableFeature]bool{}
	}
	if !c.unstableWarned[f] {
		c.unstableWarned[f] = true
		d := lang.Errorf(lang.Span{}, "Script is using an unstable feature: %s. To prevent this warning you must explicitly enable it in the config e.g. %s=enable", f.name, f.config)
		d.Severity, d.Global = lang.SevWarning, true
		c.out.Warnings = append(c.out.Warnings, d)
	}
	return true
}
