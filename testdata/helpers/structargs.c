// structargs is the uprobe target of the end-to-end tests of struct
// members and parameters read from DWARF (cmd/gobpftrace/structargs_test.go):
// floating-point members, char arrays with no NUL, structs passed by value
// in registers and on the stack, and parameters past the sixth, which the
// System V x86-64 ABI passes on the stack. Built with gcc -g -O0.
//
//	structargs N   calls every function N times
//
// The values are globals initialised at compile time, so every byte the
// tests print is known.
#include <stdlib.h>
#include <string.h>

struct rec {
	int a;
	float f;
	double d;
	char name[4]; // "abcd": all four bytes used, no NUL
	char tag[8];  // "tag": NUL-terminated
	long b;
};

struct pair {
	int x;
	int y;
};

struct quad {
	short s;
	unsigned char c;
	int i;
	long l;
	const char *p;
};

struct inner {
	unsigned short u;
	signed char k;
};

struct nest {
	int arr[2];
	struct inner in;
	enum { RED = 1, BLUE = 2 } colour;
};

struct big {
	long a, b, c;
};

struct mixed {
	long a;
	double d;
};

struct two {
	long x;
	long y;
};

struct rec rec = {.a = 7, .f = 1.5f, .d = -2.25, .name = {'a', 'b', 'c', 'd'}, .tag = "tag", .b = 9};
struct pair pair = {3, -4};
struct quad quad = {.s = -2, .c = 200, .i = -70000, .l = 5000000000L, .p = "quad"};
struct nest nest = {.arr = {11, -12}, .in = {.u = 65000, .k = -5}, .colour = BLUE};
struct big big = {10, -20, 30};
struct mixed mixed = {5, 1.5};
struct two two = {100, -200};

__attribute__((noipa)) int take_rec(struct rec *r) { return r->a; }

__attribute__((noipa)) int take_pair(struct pair p, int after) { return p.x + after; }

__attribute__((noipa)) long take_quad(int first, struct quad q, struct nest n, long after) {
	return first + q.l + n.in.u + after;
}

__attribute__((noipa)) long take_big(struct big b, int after, struct pair p) { return b.a + after + p.x; }

__attribute__((noipa)) long take_mixed(struct mixed m, int after) { return m.a + after; }

__attribute__((noipa)) long take_many(int a, int b, int c, int d, int e, long f, short g, const char *h, struct big i,
				      unsigned char j) {
	return a + b + c + d + e + f + g + h[0] + i.a + j;
}

// take_late: the 16-byte struct no longer fits in the one register left,
// so it goes on the stack, and the next integer still takes that register.
__attribute__((noipa)) long take_late(long a, long b, long c, long d, long e, struct two t, long after) {
	return a + b + c + d + e + t.x + after;
}

static const char eight[] = "eight";

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long total = 0;
	// The strings the functions get, read once so that their page is in
	// memory when a probe reads them.
	total += strlen(quad.p) + strlen(eight);
	for (int i = 0; i < n; i++) {
		total += take_rec(&rec);
		total += take_pair(pair, 42);
		total += take_quad(-1, quad, nest, 43);
		total += take_big(big, 44, pair);
		total += take_mixed(mixed, 45);
		total += take_many(1, 2, 3, 4, 5, 6, -7, eight, big, 250);
		total += take_late(1, 2, 3, 4, 5, two, 46);
	}
	return total == 42;
}
