package check

import (
	"strconv"
	"strings"
)

// Kernel types come from BTF, but BTF holds no preprocessor macros: the
// few constants that bpftrace's tools take from the headers they include
// are defined here, for the headers that define them (an x86-64 Linux
// ABI, stable). A script's own #define of the same name wins.
var headerMacros = map[string]map[string]string{
	"linux/socket.h": {
		"AF_UNSPEC": "0", "AF_UNIX": "1", "AF_LOCAL": "1", "AF_INET": "2", "AF_INET6": "10",
		"AF_NETLINK": "16", "AF_PACKET": "17", "AF_VSOCK": "40", "AF_XDP": "44",
	},
	"linux/sched.h": {
		"TASK_RUNNING": "0", "TASK_INTERRUPTIBLE": "1", "TASK_UNINTERRUPTIBLE": "2",
		"__TASK_STOPPED": "4", "__TASK_TRACED": "8", "EXIT_DEAD": "16", "EXIT_ZOMBIE": "32",
		"TASK_PARKED": "64", "TASK_DEAD": "128", "TASK_WAKEKILL": "256", "TASK_WAKING": "512",
		"TASK_NOLOAD": "1024", "TASK_NEW": "2048",
		"CLONE_VM": "0x100", "CLONE_FS": "0x200", "CLONE_FILES": "0x400", "CLONE_SIGHAND": "0x800",
		"CLONE_THREAD": "0x10000",
	},
	"linux/fs.h": {
		"S_IFMT": "0170000", "S_IFSOCK": "0140000", "S_IFLNK": "0120000", "S_IFREG": "0100000",
		"S_IFBLK": "0060000", "S_IFDIR": "0040000", "S_IFCHR": "0020000", "S_IFIFO": "0010000",
	},
}

func init() {
	headerMacros["net/sock.h"] = headerMacros["linux/socket.h"]
	headerMacros["sys/socket.h"] = headerMacros["linux/socket.h"]
	nr, sys := map[string]string{}, map[string]string{}
	for _, run := range syscallNumberRuns {
		for i, name := range strings.Fields(run.names) {
			n := strconv.Itoa(run.first + i)
			nr["__NR_"+name], sys["__NR_"+name], sys["SYS_"+name] = n, n, n
		}
	}
	headerMacros["asm/unistd.h"], headerMacros["asm/unistd_64.h"] = nr, nr
	// Aliases errno.h adds: the same numbers under their other names.
	errno := map[string]string{"EWOULDBLOCK": "11", "EDEADLOCK": "35", "ENOTSUP": "95"}
	for _, run := range errnoRuns {
		for i, name := range strings.Fields(run.names) {
			errno[name] = strconv.Itoa(run.first + i)
		}
	}
	for _, h := range []string{"errno.h", "sys/errno.h", "bits/errno.h", "linux/errno.h", "asm/errno.h", "asm-generic/errno.h", "asm-generic/errno-base.h"} {
		headerMacros[h] = errno
	}
	headerMacros["syscall.h"], headerMacros["sys/syscall.h"] = sys, sys
}

// includedMacros returns the macros of the headers an #include names.
func includedMacros(text string) map[string]string {
	return headerMacros[strings.Trim(strings.TrimSpace(text), "<>\"")]
}
