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

// qrTimer is one timer the engine armed on the virtual clock.
type qrTimer struct {
	at time.Time
	c  chan time.Time
}

// qrDriver runs Engine.Run, the loop production runs, on a virtual clock:
// the engine arms a timer and blocks; the driver moves the clock to that
// timer or to the next outside event (a notice sent), whichever is first.
type qrDriver struct {
	clk    *clock
	armed  chan *qrTimer // the engine armed a timer and is about to wait on it
	engine *Engine
}

func newQRDriver(clk *clock) *qrDriver {
	return &qrDriver{clk: clk, armed: make(chan *qrTimer)}
}

// timer is the engine's Options.Timer.
func (d *qrDriver) timer(after time.Duration) (<-chan time.Time, func()) {
	t := &qrTimer{at: d.clk.Now().Add(after), c: make(chan time.Time, 1)}
	d.armed <- t
	return t.c, func() {}
}

// run starts e.Run and carries it to end; events are outside happenings,
// in time order, each done at its time on the engine's clock.
func (d *qrDriver) run(e *Engine, end time.Time, events []qrEvent) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t := <-d.armed
	for {
		if len(events) > 0 && !events[0].at.After(t.at) {
			ev := events[0]
			events = events[1:]
			d.clk.Set(maxTime(ev.at, d.clk.Now()))
			ev.do()
			if len(e.wake) > 0 {
				t = <-d.armed // the engine wakes, drops its timer and arms a new one
			}
			continue
		}
		if !t.at.Before(end) {
			break
		}
		d.clk.Set(maxTime(t.at, d.clk.Now()))
		t.c <- t.at
		t = <-d.armed
	}
	d.clk.Set(end)
	cancel()
	<-done
}

// qrEvent is something that happens outside the engine at a time.
type qrEvent struct {
	at time.Time
	do func()
}

// runEngine watches the world with the engine as production runs it: the
// keys of each notice added when it is sent, and Engine.Run on the virtual
// clock.
func (w *qrWorld) runEngine(p Policy) qrRun {
	clk := newClock(t0)
	drv := newQRDriver(clk)
	dt := &qrDingTalk{w: w, now: clk.Now, shown: map[string]time.Time{}}
	e := NewEngine(Options{Client: dt, RobotCode: "r", Now: clk.Now, Timer: drv.timer, Policy: p, Workers: 1})
	drv.run(e, w.end(), w.sendEvents(e))
	return w.verify(e, qrRun{calls: dt.calls, shown: dt.shown})
}

// sendEvents add each notice's keys to e when it is sent.
func (w *qrWorld) sendEvents(e *Engine) []qrEvent {
	perNotice := (w.w.people + 19) / 20
	var evs []qrEvent
	for n, at := range w.w.sends {
		var keys []string
		for _, k := range w.keys[n*perNotice : (n+1)*perNotice] {
			keys = append(keys, k.id)
		}
		sentAt := t0.Add(at)
		evs = append(evs, qrEvent{sentAt, func() { e.Add(AddSpec{Keys: keys, SentAt: sentAt}) }})
	}
	return evs
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
