package codegen

import "testing"

func TestSPDXLicense(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"// SPDX-License-Identifier: GPL-2.0\nBEGIN {}\n", "GPL"},
		{"#!/usr/bin/env gobpftrace\n\n  // a tool\n// SPDX-License-Identifier:  MIT \nBEGIN {}", "MIT"},
		{"// SPDX-License-Identifier: Dual MIT/GPL", "GPL"},
		{"BEGIN {}\n// SPDX-License-Identifier: MIT\n", ""}, // after the leading comments
		{"// a tool\r\n// SPDX-License-Identifier: BSD-2-Clause\r\n", "BSD-2-Clause"},
		{"", ""},
	} {
		if got := spdxLicense(c.src); got != c.want {
			t.Errorf("spdxLicense(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}
