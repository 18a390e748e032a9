package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// TestRecallPastTheWindowSpendsNoCall (F27): with the real engine on the
// simulator, `x` on a notice whose one key was sent 25 hours ago says so
// without asking and makes no batchRecall call; on a notice with one key
// past the window and one not, the prompt says how many it recalls and
// the one call recalls only the live key.
func TestRecallPastTheWindowSpendsNoCall(t *testing.T) {
	clk := sim.NewClock(now)
	s, err := sim.Start(sim.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old := s.AddMessage("dingdemo", now.Add(-25*time.Hour), []sim.Person{{UserID: "u1", Name: "周杰"}})
	fresh := s.AddMessage("dingdemo", now.Add(-time.Hour), []sim.Person{{UserID: "u2", Name: "Ann"}})
	old2 := s.AddMessage("dingdemo", now.Add(-26*time.Hour), []sim.Person{{UserID: "u3", Name: "Bo"}})
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}, Retries: -1, Now: clk.Now})
	e := watch.NewEngine(watch.Options{Client: c, Sender: c, RobotCode: "dingdemo", Now: clk.Now})
	e.Add(watch.AddSpec{Keys: []string{old}, SentAt: now.Add(-25 * time.Hour)})
	e.Add(watch.AddSpec{Keys: []string{fresh}, SentAt: now.Add(-time.Hour)})
	e.Add(watch.AddSpec{Keys: []string{old2}, SentAt: now.Add(-26 * time.Hour)})
	if _, err := e.Group([]string{old}, "Fire drill"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Group([]string{old2, fresh}, "Mixed"); err != nil {
		t.Fatal(err)
	}
	m := newTestModelWith(Options{Engine: e})
	m = drive(m, sizeMsg(100, 30), snapshotMsg{e.Snapshot()})
	pick := func(title string) {
		t.Helper()
		for range len(m.list.rows) {
			if r, ok := m.selected(); ok && r.title() == title {
				return
			}
			m = drive(m, keys("j")...)
		}
		t.Fatalf("no row %q:\n%s", title, m.View())
	}

	pick("Fire drill")
	m = drive(m, keys("x")...)
	if m.overlay != nil || !strings.Contains(m.View(), "over 24 hours ago: DingTalk no longer recalls it") {
		t.Fatalf("x on a key past the window asked, or did not say why:\n%s", m.View())
	}
	if n := s.Calls("batchRecall"); n != 0 {
		t.Fatalf("%d recall calls for a key DingTalk no longer recalls", n)
	}

	m = drive(m, keys("g")...)
	pick("Mixed")
	m = drive(m, keys("x")...)
	if !strings.Contains(m.View(), "Recall 1 of 2 keys (1 past DingTalk's 24 hours) of Mixed?") {
		t.Fatalf("the prompt does not say what it recalls:\n%s", m.View())
	}
	m = drive(m, keys("wait", "y")...)
	if n := s.Calls("batchRecall"); n != 1 || !strings.Contains(m.View(), "recalled 1 key of Mixed") {
		t.Fatalf("%d calls:\n%s", n, m.View())
	}
	snap := e.Snapshot()
	if snap.State.Key(fresh).SendStatus != watch.SendRecalled || snap.State.Key(old2).SendStatus == watch.SendRecalled {
		t.Fatal("recalled the wrong key")
	}
}
