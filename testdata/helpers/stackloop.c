// stackloop burns CPU and makes syscalls inside functions with known names,
// so end-to-end tests can check user stacks (build it with
// -fno-omit-frame-pointer so the kernel can walk them). Its comm is
// "stackloop".
//
//	stackloop MS   spins for about MS milliseconds in
//	               stack_outer -> stack_middle -> stack_leaf, calling
//	               getppid now and then.
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

volatile unsigned long sink;

__attribute__((noinline)) void stack_leaf(long long until) {
	while (now_ms() < until) {
		for (int i = 0; i < 100000; i++)
			sink += i;
		syscall(SYS_getppid);
	}
}

__attribute__((noinline)) void stack_middle(long long until) {
	stack_leaf(until);
	sink++;
}

__attribute__((noinline)) void stack_outer(long long until) {
	stack_middle(until);
	sink++;
}

int main(int argc, char **argv) {
	long ms = argc > 1 ? atol(argv[1]) : 1000;
	stack_outer(now_ms() + ms);
	return 0;
}
