// Package check is gobpftrace's semantic checker: it resolves attach points,
// types every expression, binds scratch variables and maps to symbols,
// validates builtins per probe and checks printf formats, reporting
// positioned diagnostics in bpftrace's layout.
//
// Typing rules (bpftrace v0.26):
//
//   - An integer literal is the smallest unsigned type holding it (`1` is
//     uint8, `1000` uint16); a negated literal the smallest signed one (`-1`
//     is int8). `true`/`false` are bool; "abc" is string[4].
//   - Arithmetic and bitwise operators give 64-bit results, signed when
//     either operand is signed or the operator is `-`. Comparisons and
//     && || ! give bool. Mixing signs where no integer type holds both
//     (uint64 with a signed value, a non-negative literal adapting its
//     sign) warns at the operator (intwarn.go).
//   - Storing an integer converts it to the variable's or map's final type;
//     one that may not fit (uint64 into a variable made int64 by a signed
//     value, any value into a narrower `let` type) warns, never an error.
//     ++ and -- give an int64, widening a narrower variable.
//   - A scratch variable takes the type of its first value and widens to
//     hold later ones (uint8 then uint16 gives uint16; uint8 then int8 gives
//     int16; uint64 with a signed value gives int64). Strings widen to the
//     larger size. `let $x: T` fixes the type: values are converted to it. Every use
//     of a variable carries its final type, so codegen converts each stored
//     value to it.
//   - Map keys and values store integers as 64 bits (signed once any use is
//     signed), strings at the largest size seen, tuples element-wise. Map
//     types are learnt from every assignment in the script (a first pass),
//     so a probe may read a map a later probe writes; conflicting uses are
//     positioned errors. Aggregations make KCount/KSum/... value types.
//   - Builtins: pid tid cpu rand numaid uint32; uid gid nsecs elapsed
//     cgroup jiffies curtask uint64; comm string[16]; probe a string sized
//     for the longest attach point name; args the tracepoint struct, where
//     char[N] fields are string[N] and pointer fields of syscalls:*
//     tracepoints are user-space pointers; str() gives string[max_strlen]
//     (1024 by default) or the constant length given.
//   - Positional parameters: `$N` is the integer literal of its value when
//     it parses as an integer (or is missing: 0), typed and folded as a
//     literal, else a string; `$#` is an unsigned literal.
package check
