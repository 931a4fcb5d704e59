package main

import (
	"os"
	"syscall"
)

// reserveStdout keeps the real stdout for the ready line and points fd 1 at stderr, so that
// everything else (dubbo-go's loggers write to os.Stdout) ends up on stderr.
func reserveStdout() *os.File {
	fd, err := syscall.Dup(1)
	if err != nil {
		return os.Stdout
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Dup3(2, 1, 0); err != nil {
		_ = syscall.Close(fd)
		return os.Stdout
	}
	return os.NewFile(uintptr(fd), "/dev/stdout")
}
