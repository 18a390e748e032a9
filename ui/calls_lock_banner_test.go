package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// lockTestQuerier answers every key: sent, one person, unread.
type lockTestQuerier struct{ calls atomic.Int64 }

func (q *lockTestQuerier) ReadStatus(context.Context, string, string) (dingtalk.ReadStatus, error) {
	q.calls.Add(1)
	return dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess, Recipients: []dingtalk.Recipient{{UserID: "u", Name: "U"}}}, nil
}

// TestABrokenCallsLockIsSaidAndRefreshSaysWhy (breaker7 #2): with
// calls.lock a directory the dashboard says so in a banner, whole on a
// roomy screen and in its short form on a crowded one, and r says why
// nothing is asked instead of "need no call now"; once the lock works the
// banner goes.
func TestABrokenCallsLockIsSaidAndRefreshSaysWhy(t *testing.T) {
	dir := t.TempDir()
	store, st, _, err := watch.OpenStore(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	q := &lockTestQuerier{}
	e := watch.NewEngine(watch.Options{Client: q, Store: store, State: st, RobotCode: "dingdemo", Now: func() time.Time { return now },
		Policy: watch.Policy{Interval: 10 * time.Second, Budget: 1000}})
	if _, err := e.Add(watch.AddSpec{Keys: []string{"KEYAAAAAAAAAAAAAAAAAAAAAA", "KEYBBBBBBBBBBBBBBBBBBBBBB"}, SentAt: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, "calls.lock")
	os.Remove(lock)
	if err := os.Mkdir(lock, 0o700); err != nil {
		t.Fatal(err)
	}
	e.PollOnce(context.Background())
	if q.calls.Load() != 0 {
		t.Fatal("a call was made without the ledger's lock")
	}
	view := func(w, h int) string {
		m := New(Options{Engine: e, Renderer: asciiRenderer(), Now: func() time.Time { return now }, Region: "simulated"})
		return drive(m, tea.WindowSizeMsg{Width: w, Height: h}, snapshotMsg{e.Snapshot()}).View()
	}
	flat := strings.Join(strings.Fields(view(160, 40)), " ")
	if !strings.Contains(flat, "nothing is asked") || !strings.Contains(flat, "calls.lock") || !strings.Contains(flat, "is a directory") {
		t.Fatalf("the roomy dashboard does not say the lock is broken:\n%s", view(160, 40))
	}
	if small := view(MinWidth, MinHeight); !strings.Contains(small, bannerShort[watch.WarnCallsLock]) {
		t.Fatalf("the crowded dashboard does not say it in short:\n%s", small)
	}
	msg, ok := refresh(e, "", now)().(doneMsg)
	if !ok || strings.Contains(msg.text, "need no call now") || !strings.Contains(msg.text, "nothing asked") || !strings.Contains(msg.text, "calls.lock") {
		t.Fatalf("R without the lock says %+v", msg)
	}
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	e.PollOnce(context.Background())
	if q.calls.Load() == 0 || strings.Contains(view(160, 40), "calls.lock") {
		t.Fatalf("%d calls once the lock works; view:\n%s", q.calls.Load(), view(160, 40))
	}
}

// TestCallsLockBannerHostile: the lock's path comes from the environment
// (XDG_STATE_HOME) and its error from the system: the banner shows them
// inert, whole or short.
func TestCallsLockBannerHostile(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		w := watch.Warning{Kind: watch.WarnCallsLock, Path: h + "/calls.lock",
			Text: "nothing is asked, and changes from other dingwatch processes wait: the call ledger's lock " + h + "/calls.lock: is a directory"}
		for _, size := range [][2]int{{120, 30}, {MinWidth, MinHeight}} {
			m := loaded(&fakeEngine{state: fixtureState(), warnings: []watch.Warning{w}}, size[0], size[1])
			safetexttest.AssertNoPayload(t, name, m.View())
		}
	}
}
