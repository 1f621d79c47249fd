// uprobetarget has uprobe targets with known arguments and return values
// and USDT probes (notes written by hand below, as <sys/sdt.h> would), for
// the end-to-end tests of uprobe, uretprobe and usdt probes.
//
//	uprobetarget N [wait]   runs the loop N times; with "wait" it first
//	                        waits for SIGUSR1 (so that a tracer can attach
//	                        with -p before anything happens).
//
// Each iteration i (0..N-1) calls gbt_add(i, 100) (returns i+100),
// gbt_mul3(i) (returns 3*i), shape_area(&s) with s = {id i, kind -i,
// visible i&1, layer i&7, name "shape<i%10>", dims {i, i+1, i+2}, next -> a
// shape with id 1000+i} (for struct casts on user pointers), getpid(), and
// fires the USDT probes
// gbt:tick(i, 42, i*2 in memory, -i as a 4-byte int in memory) and, only when a tracer enabled its
// semaphore, gbt:guarded(i, -i).
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// GBT_USDT(provider, name, semaphore, "arg specs", operands...) emits a
// probe site and its .note.stapsdt entry. The specs use %0, %1, ... for
// the operands, which the assembler writes as AT&T operands.
#define GBT_USDT(provider, name, sem, specs, ...)                              \
	__asm__ __volatile__(                                                     \
	    "990: nop\n"                                                          \
	    ".pushsection .note.stapsdt,\"?\",\"note\"\n"                         \
	    ".balign 4\n"                                                         \
	    ".4byte 992f-991f, 994f-993f, 3\n"                                    \
	    "991: .asciz \"stapsdt\"\n"                                           \
	    "992: .balign 4\n"                                                    \
	    "993: .8byte 990b\n"                                                  \
	    ".8byte _.stapsdt.base\n"                                             \
	    ".8byte " sem "\n"                                                    \
	    ".asciz \"" provider "\"\n"                                           \
	    ".asciz \"" name "\"\n"                                               \
	    ".asciz \"" specs "\"\n"                                              \
	    "994: .balign 4\n"                                                    \
	    ".popsection\n"                                                       \
	    ".ifndef _.stapsdt.base\n"                                            \
	    ".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
	    ".weak _.stapsdt.base\n"                                              \
	    ".hidden _.stapsdt.base\n"                                            \
	    "_.stapsdt.base: .space 1\n"                                          \
	    ".size _.stapsdt.base, 1\n"                                           \
	    ".popsection\n"                                                       \
	    ".endif\n" ::__VA_ARGS__)

// The semaphore of gbt:guarded; tracers count it up while attached.
volatile unsigned short gbt_guarded_semaphore __attribute__((section(".probes"))) = 0;

__attribute__((noinline)) long gbt_add(long a, long b) {
	__asm__ __volatile__("");
	return a + b;
}

__attribute__((noinline)) int gbt_mul3(int x) {
	__asm__ __volatile__("");
	return x * 3;
}

// odd_add is another name of gbt_add: a uprobe wildcard matching both
// attaches once.
long odd_add(long a, long b) __attribute__((alias("gbt_add")));

// Never called: functions whose first instruction the kernel cannot
// probe (a lock prefix, an int3), which uprobe wildcards skip.
__asm__(".text\n"
	".globl odd_lock\n.type odd_lock, @function\nodd_lock:\n\tlock incl (%rdi)\n\tret\n.size odd_lock, .-odd_lock\n"
	".globl odd_int3\n.type odd_int3, @function\nodd_int3:\n\tint3\n\tret\n.size odd_int3, .-odd_int3\n");

// shape is read by scripts through their own definition of it.
struct shape {
	int id;
	short kind;
	unsigned char visible : 1, layer : 3;
	char name[8];
	long dims[3];
	struct shape *next;
};

__attribute__((noinline)) long shape_area(struct shape *s) {
	__asm__ __volatile__("" : : "r"(s) : "memory");
	return s->dims[0] * s->dims[1];
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 10;
	if (argc > 2 && strcmp(argv[2], "wait") == 0) {
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		signal(SIGUSR1, on_usr1);
		sigprocmask(SIG_BLOCK, &set, &old);
		write(1, "ready\n", 6);
		sigsuspend(&old);
	}
	long sum = 0;
	for (long i = 0; i < n; i++) {
		sum += gbt_add(i, 100);
		sum += gbt_mul3((int)i);
		struct shape other = {.id = 1000 + (int)i};
		struct shape s = {.id = (int)i, .kind = (short)-i, .visible = i & 1, .layer = i & 7,
				  .dims = {i, i + 1, i + 2}, .next = &other};
		memcpy(s.name, "shape", 5);
		s.name[5] = (char)('0' + i % 10);
		sum += shape_area(&s);
		getpid();
		int v = (int)i;
		volatile long twice = i * 2;
		volatile int negated = -(int)i;
		GBT_USDT("gbt", "tick", "0", "-4@%0 4@$42 8@%1 -4@%2", "r"(v), "m"(twice), "m"(negated));
		if (gbt_guarded_semaphore) {
			long neg = -i;
			GBT_USDT("gbt", "guarded", "gbt_guarded_semaphore", "8@%0 8@%1", "r"(i), "r"(neg));
		}
	}
	if (argc > 3 && strcmp(argv[3], "linger") == 0)
		pause(); // stay alive until killed, for symbol lookups
	return sum == 12345 ? 1 : 0;
}
