package ui

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// The rebuild after one answer, end to end: the engine merges one key's
// answer, a view takes the snapshot and rebuilds its list (what each open
// dashboard does on every change). Keys are in notices of 50 keys, 20
// people each (1,000 keys: 20,000 people).
//
//	go test -run XXX -bench RebuildAfterAnswer -benchmem ./ui/

// renamingQuerier answers a key with its people, the first one's name
// changed at every call: the key changes (a new row to draw), the
// schedule does not (no new read).
type renamingQuerier struct {
	mu    sync.Mutex
	calls int
	users map[string][]string
}

func (q *renamingQuerier) ReadStatus(_ context.Context, _, key string) (dingtalk.ReadStatus, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	rs := dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess}
	for i, u := range q.users[key] {
		name := "员工" + u
		if i == 0 {
			name = fmt.Sprintf("%s-%d", name, q.calls)
		}
		rs.Recipients = append(rs.Recipients, dingtalk.Recipient{UserID: u, Name: name, Read: i%3 == 0})
	}
	return rs, nil
}

// benchState is n keys, answered a minute before now, unchanged for 90
// hours and with no known send time, so no key falls due on its own while
// the benchmark's clock moves 15 s an answer.
func benchState(n int) (*watch.State, *renamingQuerier) {
	st := &watch.State{}
	q := &renamingQuerier{users: map[string][]string{}}
	for i := range n {
		id := fmt.Sprintf("n%03d", i/50)
		if i%50 == 0 {
			st.Notices = append(st.Notices, &watch.Notice{ID: id, Label: "通知 " + id, CreatedAt: now.Add(-100 * time.Hour)})
		}
		k := &watch.Key{Key: fmt.Sprintf("benchKey%05d", i), RobotCode: "r", Notice: id, AddedAt: now.Add(-100 * time.Hour),
			SendStatus: dingtalk.SendSuccess, LastOK: now.Add(-time.Minute), LastTry: now.Add(-time.Minute), LastChange: now.Add(-90 * time.Hour)}
		for j := range 20 {
			u := fmt.Sprintf("u%06d", i*20+j)
			q.users[k.Key] = append(q.users[k.Key], u)
			k.Recipients = append(k.Recipients, watch.Recipient{UserID: u, Name: "员工" + u, Read: j%3 == 0, FirstSeenRead: now.Add(-time.Hour)})
		}
		st.Keys = append(st.Keys, k)
	}
	return st, q
}

func BenchmarkRebuildAfterAnswer(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			st, q := benchState(n)
			clk := sim.NewClock(now)
			e := watch.NewEngine(watch.Options{Client: q, RobotCode: "r", State: st, Now: clk.Now, Workers: 1,
				Policy: watch.Policy{Interval: time.Nanosecond, MaxInterval: 1000 * time.Hour}})
			m := New(Options{Engine: e, Renderer: asciiRenderer(), Now: clk.Now, Region: "international"})
			m = drive(m, tea.WindowSizeMsg{Width: 200, Height: 60}, snapshotMsg{e.Snapshot()})
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				clk.Add(15 * time.Second)
				e.Refresh("", st.Keys[i%n].Key)
				e.PollOnce(context.Background())
				tm, _ := m.Update(snapshotMsg{e.Snapshot()})
				m = tm.(Model)
				i++
			}
			if q.calls != i {
				b.Fatalf("%d answers for %d refreshes: keys fell due on their own", q.calls, i)
			}
		})
	}
}
