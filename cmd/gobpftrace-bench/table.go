package main

import (
	"fmt"
	"io"
	"strings"
)

// table collects the rows printed at the end.
type table struct {
	tools []*tool
	rows  [][]string
}

func (t *table) has(name string) bool {
	for _, tl := range t.tools {
		if tl.name == name {
			return true
		}
	}
	return false
}

func fmtVal(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3g ±%.0f%%", median(xs), spread(xs)/2)
}

// ratioRow is a row with a value per tool and gobpftrace/bpftrace; limit
// (when not 0) is the target ratio, else the target is absolute (bigmap:
// under 1000 ms).
func (t *table) ratioRow(section, name string, vals map[string][]float64, target string, limit float64) {
	g, b := median(vals["gobpftrace"]), median(vals["bpftrace"])
	ratio, status := "-", "-"
	if b > 0 && g > 0 {
		ratio = fmt.Sprintf("%.3f", g/b)
	}
	switch {
	case limit > 0 && b > 0:
		status = okIf(g/b <= limit)
	case limit == 0 && strings.Contains(target, "1000"):
		status = okIf(g > 0 && g < 1000)
	}
	t.rows = append(t.rows, []string{section, name, fmtVal(vals["gobpftrace"]), fmtVal(vals["bpftrace"]), ratio, "-", target, status})
}

// absRow is a row whose target is an absolute bound on gobpftrace's
// median (a limit of 0: no target).
func (t *table) absRow(section, name string, vals map[string][]float64, target string, limit float64) {
	g, b := median(vals["gobpftrace"]), median(vals["bpftrace"])
	ratio, status := "-", "-"
	if b > 0 && g > 0 {
		ratio = fmt.Sprintf("%.3f", g/b)
	}
	if limit > 0 {
		status = okIf(g > 0 && g <= limit)
	}
	t.rows = append(t.rows, []string{section, name, fmtVal(vals["gobpftrace"]), fmtVal(vals["bpftrace"]), ratio, "-", target, status})
}

// higherRow is a row where more is better: the target is gobpftrace's
// median at least limit times bpftrace's.
func (t *table) higherRow(section, name string, vals map[string][]float64, target string, limit float64) {
	g, b := median(vals["gobpftrace"]), median(vals["bpftrace"])
	ratio, status := "-", "-"
	if b > 0 && g > 0 {
		ratio = fmt.Sprintf("%.3f", g/b)
		status = okIf(g/b >= limit)
	}
	t.rows = append(t.rows, []string{section, name, fmtVal(vals["gobpftrace"]), fmtVal(vals["bpftrace"]), ratio, "-", target, status})
}

func okIf(b bool) string {
	if b {
		return "met"
	}
	return "MISSED"
}

func (t *table) eventRow(script string, cost map[string][]float64, cnt map[string]progCounts) {
	g, b, r := median(cost["gobpftrace"]), median(cost["bpftrace"]), median(cost["reference"])
	ratio, refCol := "-", "-"
	if b > 0 {
		ratio = fmt.Sprintf("%.3f", g/b)
	}
	target := "<= bpftrace"
	ok := b == 0 || g <= b
	if r > 0 {
		same := ""
		if cnt["gobpftrace"].tag != "" && cnt["gobpftrace"].tag == cnt["reference"].tag {
			same = ", same program tag"
		}
		refCol = fmt.Sprintf("%s (g/ref %.3f%s)", fmtVal(cost["reference"]), g/r, same)
		target += ", <= 1.05 x ref"
		ok = ok && g <= 1.05*r
	}
	t.rows = append(t.rows, []string{"ns/event", script, fmtVal(cost["gobpftrace"]), fmtVal(cost["bpftrace"]), ratio, refCol, target, okIf(ok)})
	ci := func(name string) string {
		c, found := cnt[name]
		if !found {
			return "-"
		}
		j := fmt.Sprint(c.jited)
		if c.jited < 0 {
			j = "?"
		}
		return fmt.Sprintf("%d / %s (%d B)", c.xlated, j, c.jitedBytes)
	}
	gc, bc := cnt["gobpftrace"], cnt["bpftrace"]
	iratio, iok := "-", "-"
	if bc.xlated > 0 {
		iratio = fmt.Sprintf("%.3f", float64(gc.xlated)/float64(bc.xlated))
		iok = okIf(gc.xlated <= bc.xlated)
	}
	t.rows = append(t.rows, []string{"insns", script + " xlated / JITed (bytes)", ci("gobpftrace"), ci("bpftrace"), iratio, ci("reference"), "xlated <= bpftrace", iok})
}

func (t *table) slowdownRow(calls int, times map[string][]float64) {
	base := median(times["untraced"])
	sd := func(name string) float64 {
		if base == 0 || len(times[name]) == 0 {
			return 0
		}
		return median(times[name]) / base
	}
	val := func(name string) string {
		if len(times[name]) == 0 {
			return "-"
		}
		return fmt.Sprintf("%.3fx (%s ms)", sd(name), fmtVal(times[name]))
	}
	g, b, r := sd("gobpftrace"), sd("bpftrace"), sd("reference")
	ratio := "-"
	if b > 0 {
		ratio = fmt.Sprintf("%.3f", g/b)
	}
	t.rows = append(t.rows, []string{"slowdown", fmt.Sprintf("getppid x %d under count.bt (untraced %s ms)", calls, fmtVal(times["untraced"])),
		val("gobpftrace"), val("bpftrace"), ratio, val("reference"), "<= ref + 0.05", okIf(g <= r+0.05)})
}

func (t *table) textRow(section, name string, vals map[string]string) {
	get := func(k string) string {
		if v, ok := vals[k]; ok {
			return v
		}
		return "-"
	}
	t.rows = append(t.rows, []string{section, name, get("gobpftrace"), get("bpftrace"), "-", "-", "-", "-"})
}

func (t *table) print(w io.Writer) {
	head := []string{"section", "measure", "gobpftrace", "bpftrace", "gobpftrace/bpftrace", "reference", "target", "status"}
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
	for _, r := range t.rows {
		fmt.Fprintln(w, "| "+strings.Join(r, " | ")+" |")
	}
}
