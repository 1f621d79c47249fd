package check

import "testing"

// TestWarningsFollowErrors: a script that does not compile lists its
// warnings too, as bpftrace v0.26 prints them: every error, then every
// warning, each in the order found; an unstable feature's warning, which
// bpftrace logs as soon as it sees the feature, first.
func TestWarningsFollowErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{`BEGIN { $x = (uint32)pid; $y = 1; $y = "a"; $z = (uint64)nsecs; $w = 2; $w = "b"; }`,
			"stdin:1:35-43: ERROR: Type mismatch for $y: trying to assign value of type 'string[2]' when variable already has a type 'int8'\n" +
				"BEGIN { $x = (uint32)pid; $y = 1; $y = \"a\"; $z = (uint64)nsecs; $w = 2; $w = \"b\"; }\n" +
				"                                  ~~~~~~~~\n" +
				"stdin:1:73-81: ERROR: Type mismatch for $w: trying to assign value of type 'string[2]' when variable already has a type 'int8'\n" +
				"BEGIN { $x = (uint32)pid; $y = 1; $y = \"a\"; $z = (uint64)nsecs; $w = 2; $w = \"b\"; }\n" +
				"                                                                        ~~~~~~~~\n" +
				"stdin:1:14-25: WARNING: Unnecessary cast: the expression is already of type 'uint32'\n" +
				"BEGIN { $x = (uint32)pid; $y = 1; $y = \"a\"; $z = (uint64)nsecs; $w = 2; $w = \"b\"; }\n" +
				"             ~~~~~~~~~~~\n" +
				"stdin:1:50-63: WARNING: Unnecessary cast: the expression is already of type 'uint64'\n" +
				"BEGIN { $x = (uint32)pid; $y = 1; $y = \"a\"; $z = (uint64)nsecs; $w = 2; $w = \"b\"; }\n" +
				"                                                 ~~~~~~~~~~~~~"},
		{`BEGIN { @t = tseries(1, 1s, 5); $s = (uint32)pid; $s = "x"; }`,
			"WARNING: Script is using an unstable feature: tseries. To prevent this warning you must explicitly enable it in the config e.g. unstable_tseries=enable\n" +
				"stdin:1:51-59: ERROR: Type mismatch for $s: trying to assign value of type 'string[2]' when variable already has a type 'uint32'\n" +
				"BEGIN { @t = tseries(1, 1s, 5); $s = (uint32)pid; $s = \"x\"; }\n" +
				"                                                  ~~~~~~~~\n" +
				"stdin:1:38-49: WARNING: Unnecessary cast: the expression is already of type 'uint32'\n" +
				"BEGIN { @t = tseries(1, 1s, 5); $s = (uint32)pid; $s = \"x\"; }\n" +
				"                                     ~~~~~~~~~~~"},
	}
	for _, tc := range tests {
		_, _, err := run(t, tc.src, Options{})
		if err == nil {
			t.Errorf("%s: no error", tc.src)
			continue
		}
		if got := err.Error(); got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.src, got, tc.want)
		}
	}
}
