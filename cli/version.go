package cli

import (
	"fmt"
	"runtime/debug"
)

// Build information, set at build time (scripts/release.sh) with
//
//	-ldflags "-X github.com/dingwatch/dingwatch/cli.version=v1.2.3
//	          -X github.com/dingwatch/dingwatch/cli.commit=abc123
//	          -X github.com/dingwatch/dingwatch/cli.date=2026-11-29T12:00:00Z"
//
// Empty values are taken from the binary's build info: the module version
// (go install …@v1.2.3) and the vcs.revision and vcs.time that go build
// stamps in a git checkout.
var version, commit, date = "", "", ""

// buildInfo is what --version prints.
type buildInfo struct {
	Version, Commit, Date string
	Modified              bool // built from a checkout with uncommitted changes
}

// readBuildInfo merges the -ldflags values over the binary's build info.
func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.time":
				if b.Date == "" {
					b.Date = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true" && commit == ""
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// String is the version line: "v1.2.3 (commit abc123def456, built DATE)".
func (b buildInfo) String() string {
	c := b.Commit
	if c == "" {
		c = "unknown"
	} else if len(c) > 12 {
		c = c[:12]
	}
	if b.Modified {
		c += "+dirty"
	}
	d := b.Date
	if d == "" {
		d = "unknown"
	}
	return fmt.Sprintf("%s (commit %s, built %s)", b.Version, c, d)
}

// userAgent is the User-Agent of dingwatch's requests: dingwatch/VERSION.
func userAgent() string { return "dingwatch/" + readBuildInfo().Version }
