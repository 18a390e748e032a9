//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts c in a process group of its own and makes its
// cancellation kill the whole group, so a hook's children and
// grandchildren end with it.
func ownProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error {
		return syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}

// endProcessGroup kills whatever is left of c's process group once c has
// ended.
func endProcessGroup(c *exec.Cmd) {
	if c.Process != nil {
		_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}
