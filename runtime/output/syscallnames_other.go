//go:build !amd64

package output

// syscallNames is empty where no table was generated: syscall_name()
// prints the number.
var syscallNames = map[int64]string{}
