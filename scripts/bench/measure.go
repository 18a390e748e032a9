package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// wire counts the bytes an idle dashboard writes per minute (every key
// read by everyone: nothing changes), and the same for watch -n 2 over
// dingwatch status.
func wire(bin string, seconds int, settle time.Duration) error {
	r, err := newRig(bin, 10, 20, true)
	if err != nil {
		return err
	}
	defer r.close()
	if err := r.save("Idle notice"); err != nil {
		return err
	}
	measure := func(label, name string, args ...string) error {
		t, err := startTerm(r.env(), 100, 30, name, args...)
		if err != nil {
			return err
		}
		defer t.stop()
		time.Sleep(settle) // first frames, first answers, relative times past their first minute
		start := t.bytes()
		time.Sleep(time.Duration(seconds) * time.Second)
		perMinute := float64(t.bytes()-start) * 60 / float64(seconds)
		fmt.Printf("%-44s %8.0f bytes/minute over %ds\n", label, perMinute, seconds)
		return nil
	}
	if err := measure("dingwatch (dashboard, idle, 100x30)", r.binary); err != nil {
		return err
	}
	statusCmd := r.binary + " status " + strings.Join(r.keys, " ")
	return measure("watch -n 2 dingwatch status (10 keys)", "watch", "-n", "2", statusCmd)
}

// startup times the first frame of a dashboard with 500 saved keys.
func startup(bin string) error { return timeFirstFrame(bin, 500, 10) }

// rss reads the resident memory of a dashboard holding one notice of
// 1,000 keys and 20,000 recipients.
func rss(bin string) error {
	r, err := newRig(bin, 1000, 20, false)
	if err != nil {
		return err
	}
	defer r.close()
	if err := r.save("All-hands"); err != nil {
		return err
	}
	t, err := startTerm(append(r.env(), "GOMAXPROCS=2"), 200, 60, r.binary, "--budget", "0", "--qps", "200")
	if err != nil {
		return err
	}
	defer t.stop()
	if _, err := t.waitFor("Watched (1)", 20*time.Second); err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for r.sim.Calls("readStatus") < 1000 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond) // every key answered once
	}
	time.Sleep(2 * time.Second)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", t.cmd.Process.Pid))
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS") || strings.HasPrefix(line, "VmHWM") {
			fmt.Println(strings.Join(strings.Fields(line), " "))
		}
	}
	fmt.Printf("after %d readStatus answers for 1,000 keys / 20,000 recipients\n", r.sim.Calls("readStatus"))
	return nil
}

// throughput refreshes 1,000 keys against the simulator answering after
// 50 ms, with the default limiter, and reports the wall time and the most
// calls that arrived in any one second.
func throughput(bin string) error {
	s, err := sim.Start(sim.Options{Latency: 50 * time.Millisecond, NotReadyFor: time.Millisecond})
	if err != nil {
		return err
	}
	defer s.Close()
	var keys []string
	for i := range 1000 {
		keys = append(keys, s.AddMessage("dingdemo", time.Now().Add(-time.Hour), []sim.Person{{UserID: fmt.Sprint(i), Name: "P", ReadAfter: sim.Never}}))
	}
	c, err := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}, Retries: -1})
	if err != nil {
		return err
	}
	e := watch.NewEngine(watch.Options{Client: c, RobotCode: "dingdemo", Policy: watch.Policy{Budget: 0}, Workers: 8})
	e.Add(watch.AddSpec{Keys: keys, SentAt: time.Now().Add(-time.Hour)})
	start := time.Now()
	e.PollOnce(context.Background())
	wall := time.Since(start)
	fmt.Printf("1,000 keys, 50 ms latency, limiter %d/s: %v wall, %d calls, at most %d calls in any one second\n",
		dingtalk.DefaultRate, wall.Round(time.Millisecond), s.Calls("readStatus"), s.MaxCallsPerSecond())
	return nil
}
