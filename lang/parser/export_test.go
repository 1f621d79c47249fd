package parser

import "github.com/gobpftrace/gobpftrace/lang"

// ParseWithGrammar parses src with participle alone, for tests that the
// grammar itself builds the trees the generated parser builds.
func ParseWithGrammar(file, src string) (*lang.Program, error) { return parse(file, src, false) }
