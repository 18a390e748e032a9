//go:build !unix

package cli

import "os/exec"

// ownProcessGroup does nothing where there are no process groups (Windows):
// cancellation kills the hook's shell only.
func ownProcessGroup(*exec.Cmd) {}

// endProcessGroup does nothing where there are no process groups.
func endProcessGroup(*exec.Cmd) {}
