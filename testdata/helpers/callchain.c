// callchain has call chains the stack tests know in advance: build it with
// -O0 -fno-omit-frame-pointer, so that every function sets up its frame
// (push %rbp; mov %rsp,%rbp) and the kernel walks the user stack through
// them. Its comm is "callchain".
//
//	callchain N M   calls a() N times (main -> a -> b -> c), then b() M
//	                times (main -> b -> c).
//
// c makes the getppid system call with its own syscall instruction (not
// through libc, whose wrapper has no frame), so a stack taken at the
// system call starts in c too.
#include <stdlib.h>
#include <sys/syscall.h>

volatile unsigned long sink;

__attribute__((noinline)) void c(void) {
	long ret;
	__asm__ __volatile__("syscall" : "=a"(ret) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	sink += ret;
}

__attribute__((noinline)) void b(void) {
	c();
	sink++;
}

__attribute__((noinline)) void a(void) {
	b();
	sink++;
}

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int m = argc > 2 ? atoi(argv[2]) : 0;
	for (int i = 0; i < n; i++)
		a();
	for (int i = 0; i < m; i++)
		b();
	return 0;
}
