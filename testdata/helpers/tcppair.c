// tcppair makes TCP connections on the loopback interface between two
// processes, for the lessons and tests of accept tracing.
//
//	tcppair N [PORT]   listens on 127.0.0.1:PORT (default 8907), forks a
//	                   client (comm "tcpclient") that connects N times,
//	                   and accepts each connection with accept4(),
//	                   asking for the peer's address. The server's comm
//	                   is "tcppair".
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int port = argc > 2 ? atoi(argv[2]) : 8907;
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(lfd, n + 1) < 0) {
		perror("tcppair: listen");
		return 1;
	}
	pid_t child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, "tcpclient");
		for (int i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
				perror("tcppair: connect");
				_exit(1);
			}
			close(fd);
		}
		_exit(0);
	}
	for (int i = 0; i < n; i++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &len, 0);
		if (fd < 0) {
			perror("tcppair: accept4");
			return 1;
		}
		close(fd);
	}
	int status;
	waitpid(child, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
