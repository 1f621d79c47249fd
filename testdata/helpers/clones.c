// clones has functions gcc -O2 clones, for the tests of uprobe args of
// clones: use_cfg.constprop.0.isra.0 takes c->b instead of c (IPA-SRA)
// and not tag (always "q"); add3.constprop.0 takes no z (always 7);
// check.part.0 is check's slow path (partial inlining), next to check
// itself. Their DWARF names the declared parameters and says where each
// is at the clone's entry.
//
//	clones N   calls each function N times, with i = 0..N-1.
#include <stdlib.h>

struct cfg {
	long a, b, c, d;
};

volatile long sink;

__attribute__((noinline)) static long use_cfg(struct cfg *c, long scale, const char *tag) {
	sink += tag[0];
	return c->b * scale;
}

__attribute__((noinline)) static long add3(long x, long y, long z) {
	sink += z;
	return x + y * z;
}

long check(long x, long y, const char *tag) {
	if (x < 0)
		return 0;
	for (long i = 0; i < y; i++) {
		sink += tag[i % 3] * i;
		if (sink % 7 == 3)
			sink ^= x;
		sink += x / (i + 1);
	}
	return sink;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	struct cfg c = {1, 40 + n, 3, 4};
	long t = 0;
	// Read the string once, so that its page is in memory when a uprobe
	// reads it (bpf_probe_read_user does not fault pages in).
	const char *abc = "abc";
	sink += *(volatile const char *)abc;
	for (int i = 0; i < n; i++) {
		t += use_cfg(&c, 10 + i, "q");
		t += add3(i, 100 + i, 7);
		t += check(i - 1, n + 1, abc);
	}
	return t == 42;
}
