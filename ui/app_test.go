package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// TestAppMovesReaderToRead runs the whole app (program, engine, client)
// against the simulator: a recipient reads, and the view moves them from
// Unread to Read.
func TestAppMovesReaderToRead(t *testing.T) {
	clk := sim.NewClock(now)
	s, err := sim.Start(sim.Options{Now: clk.Now, NotReadyFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := s.AddMessage("dingdemo", now.Add(-time.Minute), []sim.Person{
		{UserID: "u1", Name: "欧阳娜娜", ReadAfter: 5 * time.Minute},
		{UserID: "u2", Name: "Bob Martin", ReadAfter: sim.Never},
	})
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "demo", AppSecret: "demo-secret"}, Retries: -1, Now: clk.Now})
	e := watch.NewEngine(watch.Options{Client: c, RobotCode: "dingdemo", Now: clk.Now})
	e.Add(watch.AddSpec{Keys: []string{key}, Label: "Weekly sync", SentAt: now.Add(-time.Minute)})
	changes, stop := e.Subscribe()
	defer stop()

	m := New(Options{Engine: e, Changes: changes, Renderer: asciiRenderer(), Now: clk.Now, Region: "simulated", Tick: time.Hour})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	waitFor := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	e.PollOnce(context.Background())
	waitFor("Unread (2)")

	clk.Add(5 * time.Minute)
	e.PollOnce(context.Background())
	waitFor("Read (1)")

	tm.Quit()
	view := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
	readAt := strings.Index(view, "Read (1)")
	unreadAt := strings.Index(view, "Unread (1)")
	nana := strings.Index(view, "欧阳娜娜")
	bob := strings.Index(view, "Bob Martin")
	if readAt < 0 || unreadAt < 0 || !(unreadAt < bob && bob < readAt && readAt < nana) { // Unread first: who to chase

		t.Fatalf("欧阳娜娜 should be under Read and Bob under Unread:\n%s", view)
	}
	if s.Calls("readStatus") != 2 {
		t.Fatalf("readStatus calls = %d, want 2", s.Calls("readStatus"))
	}
}
