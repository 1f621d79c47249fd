package lang

import (
	"fmt"
	"strings"
)

// Severity of a diagnostic.
type Severity int

const (
	SevError Severity = iota
	SevWarning
)

// Diagnostic is one positioned message.
type Diagnostic struct {
	Span     Span
	Severity Severity
	Msg      string
	// Hint is an optional second line printed as "HINT: ...".
	Hint string
	// Global marks a diagnostic about the command line or the environment,
	// not the script: it is printed without the file name.
	Global bool
}

// HintedError is an error an Env returns with a hint for the user: the
// checker prints Msg as the error and Hint on its "HINT: " line.
type HintedError struct {
	Msg, Hint string
}

func (e *HintedError) Error() string { return e.Msg }

// Diagnostics is a list of diagnostics; as an error it renders all of them.
type Diagnostics struct {
	File   string
	Source string
	List   []*Diagnostic
}

func (d *Diagnostics) Error() string {
	var b strings.Builder
	for _, x := range d.List {
		b.WriteString(Format(d.File, d.Source, x))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Format renders one diagnostic in bpftrace's layout:
//
//	stdin:1:9-14: ERROR: Unknown function: foo
//	BEGIN { foo(); }
//	        ~~~~~
//
// The column range is start-end with end exclusive, both 1-based. A span
// covering several lines prints the first line underlined to its end.
func Format(file, source string, d *Diagnostic) string {
	var b strings.Builder
	sev := "ERROR"
	if d.Severity == SevWarning {
		sev = "WARNING"
	}
	s, e := d.Span.Start, d.Span.End
	if s.Line == 0 && d.Global {
		fmt.Fprintf(&b, "%s: %s\n", sev, d.Msg)
	} else if s.Line == 0 {
		fmt.Fprintf(&b, "%s: %s: %s\n", file, sev, d.Msg)
	} else {
		endCol := e.Col
		if e.Line != s.Line || endCol <= s.Col {
			endCol = s.Col + 1
			if e.Line != s.Line {
				endCol = len(sourceLine(source, s.Line)) + 1
			}
		}
		fmt.Fprintf(&b, "%s:%d:%d-%d: %s: %s\n", file, s.Line, s.Col, endCol, sev, d.Msg)
		line := sourceLine(source, s.Line)
		b.WriteString(line)
		b.WriteByte('\n')
		// Keep tabs so the underline lines up under tab-indented code.
		for i := 0; i < s.Col-1 && i < len(line); i++ {
			if line[i] == '\t' {
				b.WriteByte('\t')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(strings.Repeat("~", max(endCol-s.Col, 1)))
		b.WriteByte('\n')
	}
	if d.Hint != "" {
		fmt.Fprintf(&b, "HINT: %s\n", d.Hint)
	}
	return b.String()
}

func sourceLine(source string, n int) string {
	lines := strings.Split(source, "\n")
	if n-1 < len(lines) && n >= 1 {
		return strings.TrimRight(lines[n-1], "\r")
	}
	return ""
}

// Errorf builds an error diagnostic at span.
func Errorf(span Span, format string, args ...any) *Diagnostic {
	return &Diagnostic{Span: span, Severity: SevError, Msg: fmt.Sprintf(format, args...)}
}
