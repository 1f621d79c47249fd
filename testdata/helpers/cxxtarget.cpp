// cxxtarget calls C++ functions whose symbols are mangled, so tests can
// check that user stacks show them demangled (config cpp_demangle). Build
// it with -fno-omit-frame-pointer so the kernel can walk its stack.
//
//	cxxtarget N   calls shapes::Widget::poke(int) N times, through
//	              shapes::run(shapes::Widget&, int) and drive(...).
#include <cstdio>
#include <cstdlib>

namespace shapes {

struct Widget {
	long size;
	int poke(int by);
};

__attribute__((noinline)) int Widget::poke(int by) {
	size += by;
	asm volatile("" ::: "memory");
	return static_cast<int>(size);
}

__attribute__((noinline)) static int drive(Widget &w, int i) {
	int r = w.poke(i);
	asm volatile("" ::: "memory");
	return r;
}

__attribute__((noinline)) int run(Widget &w, int n) {
	int r = 0;
	for (int i = 0; i < n; i++)
		r = drive(w, i);
	asm volatile("" ::: "memory");
	return r;
}

} // namespace shapes

int main(int argc, char **argv) {
	int n = argc > 1 ? std::atoi(argv[1]) : 3;
	shapes::Widget w{0};
	std::printf("%d\n", shapes::run(w, n));
	return 0;
}
