// sysloop makes a known number of syscalls, so end-to-end tests can count
// them under a known comm ("sysloop").
//
//	sysloop N [PATH]   calls getppid N times, then opens PATH if given.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1000;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	if (argc > 2) {
		int fd = open(argv[2], O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}
