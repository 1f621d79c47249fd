package output

import "strconv"

// SyscallNameText is the name of syscall number nr on this architecture,
// or the number itself when the table does not know it (another
// architecture, or a syscall newer than the table).
func SyscallNameText(nr int64) string {
	if name, ok := syscallNames[nr]; ok {
		return name
	}
	return strconv.FormatInt(nr, 10)
}
