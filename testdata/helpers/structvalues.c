// structvalues is the uprobe target of the end-to-end tests of whole
// structs, unions and arrays as values (cmd/gobpftrace/structvalues_test.go).
//
//	structvalues N   calls take_rec(&rec, &grid) N times
//
// rec and grid are initialised globals, so the compiler stores nothing at
// run time that it could leave out: every byte the tests print is known.
#include <stdlib.h>

struct inner {
	int c;
	short d;
};

struct rec {
	int a;
	struct inner b;
	int arr[4];
	int y[2][2];
	struct inner ins[2];
	union {
		int u;
		char uc[4];
	};
	struct {
		int n1;
		int n2;
	} anon;
	unsigned int bf1 : 3;
	unsigned int bf2 : 5;
	int bf3 : 4;
	char name[8];
	unsigned long big;
};

struct grid {
	int y[2][2];
};

struct rec rec = {
	.a = 1,
	.b = {.c = 2, .d = -3},
	.arr = {1, 2, 3, 4},
	.y = {{5, 6}, {7, 8}},
	.ins = {{10, 11}, {12, 13}},
	.u = 0x41424344,
	.anon = {20, 21},
	.bf1 = 5,
	.bf2 = 17,
	.bf3 = -3,
	.name = "hello",
	.big = 0xffffffffffUL,
};

struct grid grid = {.y = {{5, 6}, {7, 8}}};

__attribute__((noinline)) int take_rec(struct rec *r, struct grid *g) {
	__asm__ __volatile__("" ::"r"(r), "r"(g) : "memory");
	return 0;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	for (int i = 0; i < n; i++)
		take_rec(&rec, &grid);
	return 0;
}
