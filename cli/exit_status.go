package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// Exit statuses. One rule for every command (README: Exit status):
//
//	0  everything asked for was done
//	1  a key or a batch failed (DingTalk answered with an error, a batch
//	   failed or has an unknown outcome, a notice reported has such a batch)
//	2  the user must fix something in the settings or the arguments:
//	   a bad flag or key, a missing or wrong credential, robot code,
//	   endpoint or permission (dingtalk.IsSettings); nothing was sent then
//	130 interrupted
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitAborted = 130
)

// exitError carries an exit status with the message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr is an error the user fixes in the arguments or settings.
func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

// failedErr is an error of keys or batches that failed.
func failedErr(format string, a ...any) error {
	return &exitError{exitFailed, fmt.Errorf(format, a...)}
}

// exitCode is the exit status for the error a command returned.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return exitAborted
	case dingtalk.IsSettings(err):
		return exitUsage
	}
	return exitFailed
}
