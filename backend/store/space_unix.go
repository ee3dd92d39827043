//go:build !windows

package store

import "syscall"

// diskSpace returns the bytes available to an unprivileged user (root's
// reserved blocks are not counted: the service may run as another user) and
// the file system's size.
func diskSpace(dir string) (free, total int64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), int64(st.Blocks) * int64(st.Bsize), nil
}
