// Command bench measures what unit tests must not time: the bytes an idle
// dashboard writes, start-up time, memory of the real binary, and polling
// throughput against the simulator. Results go to BENCHMARKS.md by hand.
//
//	go run ./scripts/bench wire [-seconds 60]   bytes per minute of an idle dashboard, and of watch -n 2 dingwatch status
//	go run ./scripts/bench startup              time to first frame with 500 saved keys
//	go run ./scripts/bench rss                  resident memory holding 1,000 keys / 20,000 recipients
//	go run ./scripts/bench throughput           refreshing 1,000 keys, 50 ms latency
//	go run ./scripts/bench firstframe           first frame with 5,000 and 20,000 saved keys
//	go run ./scripts/bench serve                serve with 1/10/30 SSH sessions while 1,000 keys are polled
//	go run ./scripts/bench idle [-seconds 60]   an idle dashboard's CPU beside watch -n 2 true
//	go run ./scripts/bench save                 one save of 1,000 keys, and removing them all
//
// -binary PATH measures that build instead of one made from the working
// tree, so an older checkout's binary runs the same measurement.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/bench wire|startup|rss|throughput|firstframe|serve|idle|save [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	seconds := fs.Int("seconds", 60, "how long to count bytes (wire)")
	settle := fs.Duration("settle", 70*time.Second, "how long to let the screen settle before counting (wire)")
	binary := fs.String("binary", "", "measure this dingwatch binary, not one built from the working tree (to compare builds side by side)")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "wire":
		err = wire(*binary, *seconds, *settle)
	case "startup":
		err = startup(*binary)
	case "rss":
		err = rss(*binary)
	case "throughput":
		err = throughput(*binary)
	case "firstframe":
		err = firstFrame(*binary)
	case "serve":
		err = serveLoad(*binary)
	case "idle":
		err = idleCPU(*binary, *seconds)
	case "save":
		err = saveCost()
	default:
		err = fmt.Errorf("unknown measurement %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
