package watch

import (
	"context"
	"sync"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// qrDingTalk is DingTalk for one world on a virtual clock: it answers
// readStatus from the world's read times, refuses calls past the monthly
// quota, and notes when each read was first answered as read.
type qrDingTalk struct {
	w   *qrWorld
	now func() time.Time

	mu    sync.Mutex
	calls int
	shown map[string]time.Time
}

func (d *qrDingTalk) ReadStatus(_ context.Context, _, key string) (dingtalk.ReadStatus, error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.w.w.quota > 0 && d.calls > d.w.w.quota {
		return dingtalk.ReadStatus{}, &dingtalk.Error{HTTPStatus: 403, Code: dingtalk.CodeQuotaSpent,
			Hint: "the organisation's monthly API call quota is spent"}
	}
	k := d.w.byID[key]
	rs := dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess, Recipients: make([]dingtalk.Recipient, len(k.users))}
	for i, u := range k.users {
		read := k.readIn[i] >= 0 && !k.sentAt.Add(k.readIn[i]).After(now)
		rs.Recipients[i] = dingtalk.Recipient{UserID: u, Name: u, Read: read}
		if id := k.id + "/" + u; read {
			if _, ok := d.shown[id]; !ok {
				d.shown[id] = now
			}
		}
	}
	return rs, nil
}

// runEngine watches the world with the engine as production runs it: keys
// added when each notice is sent, and the loop of Engine.Run on the virtual
// clock (poll what is due, then sleep until the next key is due, at most
// inboxEvery).
func (w *qrWorld) runEngine(p Policy) qrRun {
	clk := newClock(t0)
	dt := &qrDingTalk{w: w, now: clk.Now, shown: map[string]time.Time{}}
	e := NewEngine(Options{Client: dt, RobotCode: "r", Now: clk.Now, Policy: p, Workers: 1})
	ctx := context.Background()
	next := 0 // the next notice to send
	perNotice := (w.w.people + 19) / 20
	for end := w.end(); clk.Now().Before(end); {
		for next < len(w.w.sends) && !t0.Add(w.w.sends[next]).After(clk.Now()) {
			var keys []string
			for _, k := range w.keys[next*perNotice : (next+1)*perNotice] {
				keys = append(keys, k.id)
			}
			e.Add(AddSpec{Keys: keys, SentAt: t0.Add(w.w.sends[next])})
			next++
		}
		due := e.PollOnce(ctx)
		wait := inboxEvery
		if !due.IsZero() {
			wait = min(max(due.Sub(clk.Now()), 50*time.Millisecond), inboxEvery)
		}
		clk.Add(wait)
	}
	return w.verify(e, qrRun{calls: dt.calls, shown: dt.shown})
}

// verify keeps only the reads the engine's state shows as read: a read
// answered but lost on the way would not count as shown.
func (w *qrWorld) verify(e *Engine, r qrRun) qrRun {
	read := map[string]bool{}
	for _, k := range e.Snapshot().State.Keys {
		for _, rc := range k.Recipients {
			if rc.Read {
				read[k.Key+"/"+rc.UserID] = true
			}
		}
	}
	for id := range r.shown {
		if !read[id] {
			delete(r.shown, id)
		}
	}
	return r
}
