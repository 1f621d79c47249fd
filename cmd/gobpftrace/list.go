package main

import (
	"errors"
	"io"
)

// listProbesFunc lists probes for -l; runtime.ListProbes replaces this
// stand-in when it lands.
var listProbesFunc = func(w io.Writer, pattern string, verbose bool) error {
	return errors.New("-l is not supported yet")
}
