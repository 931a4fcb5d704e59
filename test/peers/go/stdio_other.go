//go:build !linux

package main

import "os"

// reserveStdout: elsewhere only Go-level writers are redirected (best effort).
func reserveStdout() *os.File {
	out := os.Stdout
	os.Stdout = os.Stderr
	return out
}
