package parser

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strings"
)

// timeUnits are the suffixes an integer literal may carry; the value is
// converted to nanoseconds (`5s` is 5000000000).
var timeUnits = map[string]uint64{
	"ns": 1,
	"us": 1_000,
	"ms": 1_000_000,
	"s":  1_000_000_000,
	"m":  60 * 1_000_000_000,
	"h":  3600 * 1_000_000_000,
	"d":  86400 * 1_000_000_000,
}

// intSuffixes are C-style integer suffixes, accepted and ignored.
var intSuffixes = map[string]bool{
	"u": true, "l": true, "ul": true, "lu": true, "ll": true, "ull": true, "llu": true,
}

// errTooLarge marks a literal whose value does not fit 64 bits (or the
// type its C suffix names); parseInt reports it as an overflowError.
var errTooLarge = errors.New("too large")

// overflowError is bpftrace v0.26's message for a literal beyond the
// largest value of its type: the maximum, then the literal as written.
type overflowError struct {
	raw string
	max uint64
}

func (e overflowError) Error() string {
	return fmt.Sprintf("overflow error, maximum value is %d: %s", e.max, e.raw)
}

// suffixMax is the largest value a C integer suffix allows, as bpftrace
// v0.26 checks it (u is an unsigned int, l and ll a signed long).
var suffixMax = map[string]uint64{
	"u": math.MaxUint32, "l": math.MaxInt64, "ll": math.MaxInt64,
}

// parseInt computes the value of an integer literal: decimal, hex (0x),
// octal (leading 0), with '_' between digits, a decimal exponent (1e6),
// and an optional time unit or C integer suffix.
func parseInt(raw string) (uint64, error) {
	v, err := parseIntValue(raw)
	switch {
	case errors.Is(err, errTooLarge):
		return 0, overflowError{raw, math.MaxUint64}
	case err == errBadInt:
		// Worded here, not up front: every literal of a script is
		// parsed twice (scanner, converter), and almost all are good.
		return 0, errors.New("invalid integer literal '" + raw + "'")
	}
	return v, err
}

// ParseIntLiteral reads an integer written as a script's literal is
// (0x2a, 1_000, 1e6, 10ms, 5u...), for values given on the command line,
// which bpftrace parses with the same rules (getopt()'s named options).
func ParseIntLiteral(raw string) (uint64, error) { return parseInt(raw) }

// errBadInt is parseIntValue's error for a literal that is no integer.
var errBadInt = errors.New("invalid integer literal")

func parseIntValue(raw string) (uint64, error) {
	if len(raw) > 2 && raw[0] == '0' && (raw[1] == 'x' || raw[1] == 'X') {
		digits, suffix := splitDigits(raw[2:], isHexDigit)
		if !intSuffixes[strings.ToLower(suffix)] && suffix != "" {
			return 0, errBadInt
		}
		v, err := digitsValue(digits, 16)
		if limit, ok := suffixMax[strings.ToLower(suffix)]; ok && err == nil && v > limit {
			return 0, overflowError{raw, limit}
		}
		return v, err
	}
	digits, rest := splitDigits(raw, isDigit)
	if digits == "" {
		return 0, errBadInt
	}
	var exp string
	if len(rest) > 1 && (rest[0] == 'e' || rest[0] == 'E') && isDigit(rest[1]) {
		exp, rest = splitDigits(rest[1:], isDigit)
	}
	base := uint64(10)
	if len(digits) > 1 && digits[0] == '0' && exp == "" {
		base = 8
	}
	v, err := digitsValue(digits, base)
	if err != nil {
		return 0, err
	}
	if exp != "" {
		n, err := digitsValue(exp, 10)
		if err != nil {
			return 0, err
		}
		if v == 0 {
			n = 0 // 0eN is 0 however large N is
		}
		if n > 20 {
			return 0, errTooLarge
		}
		for ; n > 0; n-- {
			if v, err = mul(v, 10); err != nil {
				return 0, err
			}
		}
	}
	switch {
	case rest == "":
		return v, nil
	case intSuffixes[strings.ToLower(rest)]:
		if limit, ok := suffixMax[strings.ToLower(rest)]; ok && v > limit {
			return 0, overflowError{raw, limit}
		}
		return v, nil
	case timeUnits[rest] != 0:
		return mul(v, timeUnits[rest])
	}
	return 0, errBadInt
}

func mul(a, b uint64) (uint64, error) {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return 0, errTooLarge
	}
	return lo, nil
}

func isHexDigit(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// splitDigits splits s after its leading run of digits and '_' separators.
func splitDigits(s string, digit func(byte) bool) (string, string) {
	i := 0
	for i < len(s) && (digit(s[i]) || (s[i] == '_' && i > 0 && i+1 < len(s) && digit(s[i+1]))) {
		i++
	}
	return s[:i], s[i:]
}

func digitsValue(digits string, base uint64) (uint64, error) {
	if digits == "" {
		return 0, errBadInt
	}
	var v uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c == '_' {
			continue
		}
		var d uint64
		switch {
		case isDigit(c):
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			d = uint64(c-'A') + 10
		}
		if d >= base {
			return 0, errBadInt
		}
		hi, lo := bits.Mul64(v, base)
		sum, carry := bits.Add64(lo, d, 0)
		if hi != 0 || carry != 0 {
			return 0, errTooLarge
		}
		v = sum
	}
	return v, nil
}

// unquote decodes a string literal with its quotes. On a bad escape it
// returns the escape's offset in raw and a message.
func unquote(raw string) (string, int, string) {
	s := raw[1 : len(raw)-1]
	if strings.IndexByte(s, '\\') < 0 {
		return s, 0, ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", i + 1, "invalid escape character '\\'"
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'e':
			b.WriteByte(0x1b)
		case '"', '\\', '\'', '?':
			b.WriteByte(e)
		case 'x':
			j := i + 1
			for j < len(s) && j < i+3 && isHexDigit(s[j]) {
				j++
			}
			if j == i+1 {
				return "", i, "invalid escape character '\\x'"
			}
			v, _ := digitsValue(s[i+1:j], 16)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			if e < '0' || e > '7' {
				return "", i, "invalid escape character '\\" + printable(e) + "'"
			}
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := digitsValue(s[i:j], 8)
			if v > 255 {
				return "", i, "octal escape out of range '\\" + s[i:j] + "'"
			}
			b.WriteByte(byte(v))
			i = j - 1
		}
	}
	return b.String(), 0, ""
}
