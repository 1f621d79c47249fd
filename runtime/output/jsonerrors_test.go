package output

import (
	"strings"
	"testing"
)

func TestJSONRuntimeError(t *testing.T) {
	var sb strings.Builder
	JSONRuntimeError(&sb, "Divide or modulo by 0 detected. \"1\" is used", "my\tscript.bt", 3, 12)
	want := `{"type": "runtime_error", "msg": "Divide or modulo by 0 detected. \"1\" is used", "filename": "my\tscript.bt", "line": 3, "col": 12}` + "\n"
	if sb.String() != want {
		t.Errorf("got\n%s\nwant\n%s", sb.String(), want)
	}
}
