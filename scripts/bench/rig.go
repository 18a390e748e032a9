package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/creack/pty"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// rig is a built dingwatch, a simulator and a state directory.
type rig struct {
	dir    string
	binary string
	sim    *sim.Server
	keys   []string
}

// newRig builds the binary (or takes bin, when given) and starts a
// simulator with n keys of per recipients each; final keys are read by
// everyone (nothing will change).
func newRig(bin string, n, per int, final bool) (*rig, error) {
	dir, err := os.MkdirTemp("", "dwbench")
	if err != nil {
		return nil, err
	}
	r := &rig{dir: dir, binary: filepath.Join(dir, "dingwatch")}
	if bin != "" {
		r.binary = bin
	} else if out, err := exec.Command("go", "build", "-o", r.binary, ".").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build: %v\n%s", err, out)
	}
	if r.sim, err = sim.Start(sim.Options{AppKey: "app", AppSecret: "bench-secret", NotReadyFor: time.Millisecond}); err != nil {
		return nil, err
	}
	sent := time.Now().Add(-time.Hour)
	for i := range n {
		var ps []sim.Person
		for j := range per {
			after := time.Duration(j) * time.Minute
			if !final && j%2 == 1 {
				after = sim.Never
			}
			ps = append(ps, sim.Person{UserID: fmt.Sprintf("u%05d", i*per+j), Name: fmt.Sprintf("Person %05d", i*per+j), ReadAfter: after})
		}
		r.keys = append(r.keys, r.sim.AddMessage("dingdemo", sent, ps))
	}
	return r, nil
}

// save writes a state watching every key, with their last answers, as a
// previous run would have left it.
func (r *rig) save(label string) error {
	store, st, _, err := watch.OpenStore(filepath.Join(r.dir, "state", "dingwatch"), time.Now())
	if err != nil {
		return err
	}
	defer store.Close()
	e := watch.NewEngine(watch.Options{Store: store, State: st, RobotCode: "dingdemo"})
	id := e.CreateNotice(label, "", time.Now().Add(-time.Hour))
	_, err = e.Add(watch.AddSpec{Keys: r.keys, Notice: id, SentAt: time.Now().Add(-time.Hour)})
	return err
}

func (r *rig) env() []string {
	return []string{"HOME=" + r.dir, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color",
		"XDG_STATE_HOME=" + filepath.Join(r.dir, "state"), "XDG_CONFIG_HOME=" + filepath.Join(r.dir, "config"),
		"DINGTALK_APP_KEY=app", "DINGTALK_APP_SECRET=bench-secret", "DINGTALK_ROBOT_CODE=dingdemo",
		"DINGTALK_ENDPOINT=" + r.sim.URL()}
}

func (r *rig) close() {
	r.sim.Close()
	os.RemoveAll(r.dir)
}

// term is a program running in a pseudo-terminal, its output counted.
type term struct {
	cmd *exec.Cmd
	pty *os.File
	mu  sync.Mutex
	out bytes.Buffer
	n   int64
}

func startTerm(env []string, cols, rows uint16, name string, args ...string) (*term, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: cols, Rows: rows})
	if err != nil {
		return nil, err
	}
	t := &term{cmd: cmd, pty: f}
	go t.read()
	return t, nil
}

// read counts everything the program writes and answers the terminal
// queries a real terminal would (device attributes, background colour).
func (t *term) read() {
	buf := make([]byte, 32*1024)
	for {
		n, err := t.pty.Read(buf)
		if n > 0 {
			t.mu.Lock()
			t.n += int64(n)
			if t.out.Len() < 1<<20 {
				t.out.Write(buf[:n])
			}
			t.mu.Unlock()
			if bytes.Contains(buf[:n], []byte("\x1b]11;?")) {
				io.WriteString(t.pty, "\x1b]11;rgb:0000/0000/0000\x1b\\")
			}
			if bytes.Contains(buf[:n], []byte("\x1b[c")) {
				io.WriteString(t.pty, "\x1b[?62;22c")
			}
			if bytes.Contains(buf[:n], []byte("\x1b[6n")) {
				io.WriteString(t.pty, "\x1b[1;1R")
			}
		}
		if err != nil {
			return
		}
	}
}

func (t *term) bytes() int64 { t.mu.Lock(); defer t.mu.Unlock(); return t.n }

func (t *term) contains(s string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Contains(t.out.Bytes(), []byte(s))
}

// waitFor waits until the output holds s; it reports how long that took.
func (t *term) waitFor(s string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	for !t.contains(s) {
		if time.Since(start) > limit {
			t.mu.Lock()
			tail := t.out.String()
			t.mu.Unlock()
			return 0, fmt.Errorf("no %q after %v; the screen got:\n%q", s, limit, tail[max(0, len(tail)-2000):])
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start), nil
}

func (t *term) stop() {
	t.cmd.Process.Kill()
	t.cmd.Wait()
	t.pty.Close()
}
