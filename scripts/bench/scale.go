package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/dingwatch/dingwatch/watch"
)

// The scale measurements of BENCHMARKS.md ("Scale"). Each runs the real
// binary built from the working tree, so the same command measures an
// older checkout side by side.
//
//	go run ./scripts/bench firstframe   first frame with 5,000 and 20,000 saved keys
//	go run ./scripts/bench serve        serve's CPU and memory with 1, 10 and 30 SSH sessions, 1,000 keys polled
//	go run ./scripts/bench idle         an idle dashboard's CPU beside watch -n 2 true
//	go run ./scripts/bench save         one save of 1,000 keys / 20,000 people, and removing them all

// firstFrame times exec to the first frame showing 5,000 and 20,000 saved
// keys (lone keys as added, not answered yet), then one answered notice of
// 1,000 keys and 20,000 people; five runs each.
func firstFrame(bin string) error {
	for _, n := range []int{5000, 20000} {
		if err := timeFirstFrame(bin, n, 5); err != nil {
			return err
		}
	}
	return timeBigNoticeFrame(bin, 5)
}

// timeBigNoticeFrame saves one notice of 1,000 keys of 20 people each,
// every key answered (half the people read), and times exec to the frame
// that shows it.
func timeBigNoticeFrame(bin string, runs int) error {
	r, err := newRig(bin, 0, 0, false)
	if err != nil {
		return err
	}
	defer r.close()
	store, _, _, err := watch.OpenStore(r.dir+"/state/dingwatch", time.Now())
	if err != nil {
		return err
	}
	sent := time.Now().Add(-time.Hour)
	st := &watch.State{Notices: []*watch.Notice{{ID: "n-allhands", Label: "All-hands", CreatedAt: sent}}}
	for i := range 1000 {
		k := &watch.Key{Key: fmt.Sprintf("bigNoticeKey%05d", i), RobotCode: "dingdemo", Notice: "n-allhands",
			AddedAt: sent, SentAt: sent, LastOK: time.Now().Add(-time.Minute), Polls: 3}
		var ids []string
		for j := range 20 {
			p := watch.Recipient{UserID: fmt.Sprintf("u%05d", i*20+j), Name: fmt.Sprintf("Person %05d", i*20+j)}
			if j%2 == 0 {
				p.Read, p.FirstSeenRead = true, sent.Add(time.Duration(j)*time.Minute)
			}
			k.Recipients, ids = append(k.Recipients, p), append(ids, p.UserID)
		}
		st.Keys = append(st.Keys, k)
		st.Notices[0].Batches = append(st.Notices[0].Batches, watch.Batch{UserIDs: ids, Key: k.Key, Status: watch.BatchSent, At: sent})
	}
	err = store.Save(st)
	store.Close()
	if err != nil {
		return err
	}
	return timeRuns(r, "Watched (1)", "one notice of 1,000 keys / 20,000 people", runs)
}

// timeFirstFrame saves n keys, then times exec to the first frame that
// shows them all, runs times, and prints the min, median and max.
func timeFirstFrame(bin string, n, runs int) error {
	r, err := newRig(bin, n, 2, false)
	if err != nil {
		return err
	}
	defer r.close()
	store, st, _, err := watch.OpenStore(r.dir+"/state/dingwatch", time.Now())
	if err != nil {
		return err
	}
	e := watch.NewEngine(watch.Options{Store: store, State: st, RobotCode: "dingdemo"})
	e.Add(watch.AddSpec{Keys: r.keys, SentAt: time.Now().Add(-time.Hour)})
	store.Close()
	return timeRuns(r, fmt.Sprintf("Watched (%d)", n), fmt.Sprintf("%d saved keys", n), runs)
}

// timeRuns times exec to the first frame that shows want, runs times, and
// prints the min, median and max.
func timeRuns(r *rig, want, what string, runs int) error {
	var times []time.Duration
	for range runs {
		t, err := startTerm(r.env(), 120, 40, r.binary)
		if err != nil {
			return err
		}
		d, err := t.waitFor(want, 60*time.Second)
		t.stop()
		if err != nil {
			return err
		}
		times = append(times, d)
	}
	slices.Sort(times)
	fmt.Printf("first frame with %s: min %v, median %v, max %v (%d runs)\n", what,
		times[0].Round(time.Millisecond), times[runs/2].Round(time.Millisecond), times[runs-1].Round(time.Millisecond), runs)
	return nil
}

// cpuTime is the user+system CPU a process (and, with children, its
// reaped children) has used, from /proc/PID/stat.
func cpuTime(pid int, children bool) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	var ticks int64
	for i, f := range fields[11:15] { // utime stime cutime cstime
		if i >= 2 && !children {
			break
		}
		v, _ := strconv.ParseInt(f, 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * time.Second / 100, nil // USER_HZ is 100 on Linux
}

// memory is VmRSS and VmHWM of a process, in MB.
func memory(pid int) (rss, hwm float64) {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			kb, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "VmRSS:":
				rss = kb / 1024
			case "VmHWM:":
				hwm = kb / 1024
			}
		}
	}
	return rss, hwm
}

// serveLoad runs dingwatch serve on 1,000 keys (20 people each, half of
// them never reading, so every key stays live) polled with no budget at a
// 10 s interval, opens 1, 10 and 30 SSH sessions with a 200x60 terminal,
// lets them settle 20 s, and measures the server's CPU over 30 s and its
// memory at the end.
func serveLoad(bin string) error {
	for _, n := range []int{1, 10, 30} {
		if err := serveWith(bin, n); err != nil {
			return err
		}
	}
	return nil
}

func serveWith(bin string, sessions int) error {
	r, err := newRig(bin, 1000, 20, false)
	if err != nil {
		return err
	}
	defer r.close()
	if err := r.save("All-hands"); err != nil {
		return err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		return err
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		return err
	}
	users := filepath.Join(r.dir, "users")
	if err := os.WriteFile(users, gossh.MarshalAuthorizedKey(sshPub), 0o600); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(r.binary, "serve", "--listen", addr, "--authorized-keys", users, "--host-key", filepath.Join(r.dir, "hostkey"),
		"--budget", "0", "--interval", "10s", "--qps", "500")
	cmd.Env = append(r.env(), "GOMAXPROCS=2")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	cfg := &gossh.ClientConfig{User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second} // loopback, a server we just started
	var clients []*gossh.Client
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for len(clients) < sessions {
		c, err := gossh.Dial("tcp", addr, cfg)
		if err != nil {
			if time.Now().After(deadline) {
				return fmt.Errorf("ssh: %w", err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		clients = append(clients, c)
		s, err := c.NewSession()
		if err != nil {
			return err
		}
		out, _ := s.StdoutPipe()
		go io.Copy(io.Discard, out)
		if err := s.RequestPty("xterm-256color", 60, 200, gossh.TerminalModes{}); err != nil {
			return err
		}
		if err := s.Shell(); err != nil {
			return err
		}
	}
	time.Sleep(20 * time.Second)
	calls0 := r.sim.Calls("readStatus")
	cpu0, err := cpuTime(cmd.Process.Pid, false)
	if err != nil {
		return err
	}
	const window = 30 * time.Second
	time.Sleep(window)
	cpu1, _ := cpuTime(cmd.Process.Pid, false)
	rss, hwm := memory(cmd.Process.Pid)
	fmt.Printf("serve, %2d sessions, 1,000 keys polled (%d readStatus calls in %v): CPU %.0f%% of one core, VmRSS %.0f MB, VmHWM %.0f MB\n",
		sessions, r.sim.Calls("readStatus")-calls0, window, 100*float64(cpu1-cpu0)/float64(window), rss, hwm)
	return nil
}

// idleCPU runs a dashboard on 10 keys everyone has read (nothing left to
// poll) in a 100x30 pseudo-terminal beside `watch -n 2 true`, lets both
// settle 10 s, and counts the CPU each uses over the next seconds
// (watch's includes the `true` it starts every 2 s).
func idleCPU(bin string, seconds int) error {
	r, err := newRig(bin, 10, 2, true)
	if err != nil {
		return err
	}
	defer r.close()
	if err := r.save("Done"); err != nil {
		return err
	}
	t, err := startTerm(append(r.env(), "GOMAXPROCS=2"), 100, 30, r.binary)
	if err != nil {
		return err
	}
	defer t.stop()
	w, err := startTerm(r.env(), 100, 30, "watch", "-n", "2", "true")
	if err != nil {
		return err
	}
	defer w.stop()
	if _, err := t.waitFor("Watched (1)", 20*time.Second); err != nil {
		return err
	}
	time.Sleep(10 * time.Second)
	d0, _ := cpuTime(t.cmd.Process.Pid, false)
	w0, _ := cpuTime(w.cmd.Process.Pid, true)
	window := time.Duration(seconds) * time.Second
	time.Sleep(window)
	d1, _ := cpuTime(t.cmd.Process.Pid, false)
	w1, _ := cpuTime(w.cmd.Process.Pid, true)
	fmt.Printf("idle over %v: dingwatch dashboard %v CPU (%.2f%% of a core); watch -n 2 true %v CPU (%.2f%%); ratio %.1f\n", window,
		d1-d0, 100*float64(d1-d0)/float64(window), w1-w0, 100*float64(w1-w0)/float64(window), float64(d1-d0)/float64(max(w1-w0, time.Millisecond)))
	return nil
}

// saveCost times one save of 1,000 keys / 20,000 people (the whole file,
// encoded and written atomically) and removing all of them through the
// engine, which saves the state file as it goes.
func saveCost() error {
	dir, err := os.MkdirTemp("", "dwsave")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, st, _, err := watch.OpenStore(dir, time.Now())
	if err != nil {
		return err
	}
	defer store.Close()
	sent := time.Now().Add(-time.Hour)
	var keys []string
	for i := range 1000 {
		k := &watch.Key{Key: fmt.Sprintf("saveKey%04d", i), RobotCode: "r", Notice: "n1", AddedAt: sent, SentAt: sent, LastOK: sent, LastTry: sent}
		for j := range 20 {
			k.Recipients = append(k.Recipients, watch.Recipient{UserID: fmt.Sprintf("u%05d", i*20+j), Name: fmt.Sprintf("员工%05d", i*20+j), Read: j%3 == 0})
		}
		st.Keys = append(st.Keys, k)
		keys = append(keys, k.Key)
	}
	st.Notices = []*watch.Notice{{ID: "n1", Label: "All-hands", CreatedAt: sent}}
	var saves []time.Duration
	for range 5 {
		start := time.Now()
		if err := store.Save(st); err != nil {
			return err
		}
		saves = append(saves, time.Since(start))
	}
	slices.Sort(saves)
	fi, _ := os.Stat(store.Path())
	fmt.Printf("one save of 1,000 keys / 20,000 people (%.1f MB): median %v, max %v (5 runs)\n",
		float64(fi.Size())/(1<<20), saves[2].Round(time.Millisecond), saves[4].Round(time.Millisecond))
	e := watch.NewEngine(watch.Options{Store: store, State: st, RobotCode: "r"})
	start := time.Now()
	removeAll(e, keys)
	fmt.Printf("removing the 1,000-key notice: %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// removeAll removes keys the way the dashboard does when a notice is removed.
func removeAll(e *watch.Engine, keys []string) { e.Remove(keys...) }
