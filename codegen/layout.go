package codegen

import "github.com/gobpftrace/gobpftrace/lang"

// The memory layout of values lives in package lang (lang/layout.go), so the
// checker sizes tuples exactly as codegen lays them out and the runtime
// decodes them. These forwards keep codegen's many call sites short.

// Sizeof returns the size in bytes of a value of type t.
func Sizeof(t *lang.Type) int { return lang.SizeOf(t) }

// Alignof returns the alignment of a value of type t.
func Alignof(t *lang.Type) int { return lang.AlignOf(t) }

// TupleOffsets returns the byte offset of each element of a KTuple.
func TupleOffsets(t *lang.Type) []int { return lang.TupleOffsets(t) }

func alignUp(n, a int) int { return lang.AlignUp(n, a) }
