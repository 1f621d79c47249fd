package output

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestTimeAgainstDate compares Time with GNU date, whose conversions are
// glibc strftime in the C locale (what bpftrace uses).
func TestTimeAgainstDate(t *testing.T) {
	if _, err := exec.LookPath("date"); err != nil {
		t.Skip("no date command")
	}
	f := "%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %p %P %r %R %s %S %T %u %U %V %w %W %x %X %y %Y %z %Z"
	for _, s := range []string{"2026-01-01T00:05:09Z", "2021-01-03T13:00:00Z", "2024-12-30T23:59:59Z", "2027-01-01T12:00:00Z", "2025-06-15T07:30:00Z"} {
		tm, _ := time.Parse(time.RFC3339, s)
		out, err := exec.Command("date", "-u", "-d", s, "+"+f).Output()
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(string(out), "\n")
		if got := Time(f, tm.UTC()); got != want {
			t.Errorf("%s:\n got %q\nwant %q", s, got, want)
		}
	}
}
