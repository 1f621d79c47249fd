// dwarfinline has functions gcc inlines (-O2, always_inline), for the
// tests of inlined frames in user stacks (config show_debug_info):
// outer() inlines middle(), which inlines inner(), which calls the
// out-of-line target(); code after each call keeps the return address
// inside the inlined copies (build with -fno-omit-frame-pointer).
//
//	dwarfinline N   calls outer N times.
#include <stdlib.h>

volatile long sink;

__attribute__((noinline)) void bump(long x) {
	sink += x;
}

// target calls bump so that it is not a leaf and begins with push %rbp:
// the kernel then records its caller in a user stack taken at its entry.
__attribute__((noinline)) long target(long x) {
	bump(x);
	return sink + 1;
}

static inline __attribute__((always_inline)) long inner(long x) {
	long r = target(x + 1);
	sink ^= r;
	return r * 3;
}

static inline __attribute__((always_inline)) long middle(long x) {
	long r = inner(x * 2);
	sink += r;
	return r + 5;
}

__attribute__((noinline)) long outer(long x) {
	long r = middle(x);
	sink -= r;
	return r;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long total = 0;
	for (int i = 0; i < n; i++)
		total += outer(i);
	return total == 42;
}
