package output

import (
	"fmt"
	"io"
	"strings"
)

// JSONRuntimeError writes a run-time warning such as a division by zero:
// {"type": "runtime_error", "msg": "...", "filename": "stdin", "line": 1, "col": 9}
func JSONRuntimeError(w io.Writer, msg, file string, line, col int) error {
	return jsonPositioned(w, "runtime_error", msg, file, line, col)
}

// jsonPositioned writes a message with the script position it concerns.
func jsonPositioned(w io.Writer, typ, msg, file string, line, col int) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"type": %q, "msg": `, typ)
	jsonString(&sb, msg)
	sb.WriteString(`, "filename": `)
	jsonString(&sb, file)
	fmt.Fprintf(&sb, `, "line": %d, "col": %d}`+"\n", line, col)
	_, err := io.WriteString(w, sb.String())
	return err
}
