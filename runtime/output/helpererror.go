package output

import "syscall"

// HelperErrorText explains a failed helper call (-k) as bpftrace's text
// output does: the usual map failures in words, anything else by its errno
// text. (The JSON output gives the errno text only.)
func HelperErrorText(helper string, retcode int64) string {
	switch {
	case helper == "map_update_elem" && retcode == -int64(syscall.E2BIG):
		return "Map full; can't update element. Try increasing max_map_keys config or manually setting the max entries in a map declaration e.g. `let @a = hash(5000)`"
	case helper == "map_delete_elem" && retcode == -int64(syscall.ENOENT):
		return "Can't delete map element because it does not exist."
	case helper == "map_lookup_elem":
		return "Can't lookup map element because it does not exist."
	case helper == "get_stackid" && retcode == -int64(syscall.EEXIST):
		// The stack's bucket of the stack map holds another stack: the
		// map has as many buckets as max_map_keys (rounded up to a power
		// of two), so a larger one records more distinct stacks.
		return "Stack map full; can't record the stack. Try increasing max_map_keys config"
	}
	return StrerrorText(-retcode)
}
