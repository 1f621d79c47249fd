package output

import "strconv"

// signalTexts are glibc's strsignal(3) descriptions of the x86-64 signals
// 1-31; 32 and 33 are taken by the C library's threads, and 34-64 are the
// real-time signals SIGRTMIN..SIGRTMAX.
var signalTexts = [...]string{
	1: "Hangup", 2: "Interrupt", 3: "Quit", 4: "Illegal instruction",
	5: "Trace/breakpoint trap", 6: "Aborted", 7: "Bus error",
	8: "Floating point exception", 9: "Killed", 10: "User defined signal 1",
	11: "Segmentation fault", 12: "User defined signal 2", 13: "Broken pipe",
	14: "Alarm clock", 15: "Terminated", 16: "Stack fault", 17: "Child exited",
	18: "Continued", 19: "Stopped (signal)", 20: "Stopped",
	21: "Stopped (tty input)", 22: "Stopped (tty output)",
	23: "Urgent I/O condition", 24: "CPU time limit exceeded",
	25: "File size limit exceeded", 26: "Virtual timer expired",
	27: "Profiling timer expired", 28: "Window changed", 29: "I/O possible",
	30: "Power failure", 31: "Bad system call",
}

// SignalNameText is signal_name(sig): what strsignal(3) says of signal
// sig, as bpftrace prints it ("N/A" for a number no signal has).
func SignalNameText(sig int64) string {
	switch {
	case sig >= 1 && sig <= 31:
		return signalTexts[sig]
	case sig == 0 || sig == 32 || sig == 33:
		return "Unknown signal " + strconv.FormatInt(sig, 10)
	case sig >= 34 && sig <= 64:
		return "Real-time signal " + strconv.FormatInt(sig-34, 10)
	}
	return "N/A"
}
