//go:build windows

package store

import "golang.org/x/sys/windows"

// diskSpace returns the bytes available to this user (quotas included) and
// the volume's size.
func diskSpace(dir string) (free, total int64, err error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return 0, 0, err
	}
	var avail, size, all uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &size, &all); err != nil {
		return 0, 0, err
	}
	return int64(avail), int64(size), nil
}
