//go:build !windows

package main

// wineMain is the live Windows host of `make wine`; only the Windows build
// has it (wine_windows.go).
func wineMain([]string) bool { return false }
