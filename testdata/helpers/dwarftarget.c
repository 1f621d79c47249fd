// dwarftarget has functions whose parameters have the types uprobe args
// reads from DWARF, for the DWARF tests (built with gcc -g -O0).
//
//	dwarftarget N   calls each function N times, with i = 0..N-1.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct point {
	int x;
	int y;
	const char *label;
	struct point *next;
};

__attribute__((noinline)) int dw_ints(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f) {
	return a + b + c + d + e + (int)f;
}

__attribute__((noinline)) long dw_wide(int64_t a, uint64_t b, char c, unsigned char d) {
	return a + (long)b + c + d;
}

__attribute__((noinline)) int dw_ptrs(const char *name, int *n, struct point *p) {
	return *n + p->x + (name[0] == 0);
}

__attribute__((noinline)) double dw_mixed(double scale, long count, float f, long after) {
	return scale * count + f + after;
}

// The strings the functions get, read once before the first call so that
// their page is in memory when a probe reads them.
static const char *const strs[] = {"dwarf", "first", "last"};

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long total = 0;
	for (int j = 0; j < 3; j++)
		total += strlen(strs[j]);
	for (int i = 0; i < n; i++) {
		struct point last = {1000 + i, -1, strs[2], 0};
		struct point p = {i, -i, strs[1], &last};
		int k = 13 + i;
		total += dw_ints(-1 - i, 200 + i, -300 - i, 60000 + i, -70000 - i, 4000000000u + i);
		total += dw_wide(-5000000000 - i, 18000000000000000000ull + i, 'x', 250);
		total += dw_ptrs(strs[0], &k, &p);
		total += (long)dw_mixed(1.5, i, 2.5f, 7 + i);
	}
	return total == 42;
}
