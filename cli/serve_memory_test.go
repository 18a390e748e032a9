package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// serve keeps a soft memory limit of its own unless GOMEMLIMIT gives one.
func TestServeLimitsMemoryUnlessGOMEMLIMITSays(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	debug.SetMemoryLimit(math.MaxInt64)
	limitMemory(func(string) string { return "1GiB" })
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("GOMEMLIMIT was given, yet the limit became %d", got)
	}
	limitMemory(func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != serveMemoryLimit {
		t.Fatalf("limit %d, want %d", got, serveMemoryLimit)
	}
}
