package main

import (
	"github.com/gobpftrace/gobpftrace/runtime/probes"
)

// listProbesFunc lists probes for -l (a variable so tests can replace it).
var listProbesFunc = probes.List
