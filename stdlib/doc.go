// Package stdlib describes gobpftrace's builtins once: probe providers,
// builtin variables, functions and aggregations, with their arity, argument
// kinds, result-type rule, allowed providers, support status and a one-line
// doc. The checker validates scripts against it; docs are generated from it.
//
// stdlib depends only on package lang (types).
package stdlib
