// usdtmulti has USDT probes made with <sys/sdt.h> (systemtap-sdt-dev) for
// the tests of usdt wildcards, probes with several locations and
// semaphores:
//
//	tracetest:testprobe   2 locations   args (i, "one" | "two")
//	tracetest:testprobe2  1 location    args (i, "three")
//	tracetest:testprobe3  3 locations   args (i, "four" | "five" | "six")
//	tracetest2:testprobe2 1 location    args (i)
//	tracetest:many        1 location    12 args (i, i+1, ..., i+9, -(i+10),
//	                                    0x7fffffffffffffff - i)
//	tracetest:sema        1 location    args (i, semaphore value); fired only
//	                                    while a tracer has counted its
//	                                    semaphore up
//
//	usdtmulti N [wait]   fires them all N times; with "wait" it first
//	                     prints "ready" and waits for SIGUSR1.
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// With _SDT_HAS_SEMAPHORES every probe of this file names a semaphore;
// only tracetest:sema's is read.
#define SEMA(name) unsigned short name##_semaphore __attribute__((section(".probes"))) = 0
SEMA(tracetest_testprobe);
SEMA(tracetest_testprobe2);
SEMA(tracetest_testprobe3);
SEMA(tracetest2_testprobe2);
SEMA(tracetest_sema);
SEMA(tracetest_many);

// Written at start, so that their page is resident when a probe reads them.
static char names[6][8] = {"one", "two", "three", "four", "five", "six"};

__attribute__((noinline)) static void fire(long i) {
	DTRACE_PROBE2(tracetest, testprobe, i, names[0]);
	DTRACE_PROBE2(tracetest, testprobe, i, names[1]);
	DTRACE_PROBE2(tracetest, testprobe2, i, names[2]);
	DTRACE_PROBE2(tracetest, testprobe3, i, names[3]);
	DTRACE_PROBE2(tracetest, testprobe3, i, names[4]);
	DTRACE_PROBE2(tracetest, testprobe3, i, names[5]);
	DTRACE_PROBE1(tracetest2, testprobe2, i);
	DTRACE_PROBE12(tracetest, many, i, i + 1, i + 2, i + 3, i + 4, i + 5, i + 6, i + 7, i + 8, i + 9,
	               -(i + 10), 0x7fffffffffffffffL - i);
	if (tracetest_sema_semaphore)
		DTRACE_PROBE2(tracetest, sema, i, tracetest_sema_semaphore);
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 3;
	for (int i = 0; i < 6; i++)
		names[i][7] = 0;
	if (argc > 2 && strcmp(argv[2], "wait") == 0) {
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		signal(SIGUSR1, on_usr1);
		sigprocmask(SIG_BLOCK, &set, &old);
		write(1, "ready\n", 6);
		sigsuspend(&old);
	}
	for (long i = 0; i < n; i++)
		fire(i);
	return 0;
}
