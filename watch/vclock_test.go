package watch

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// vclock is a virtual clock for running the engine's own loop (Run) in a
// simulation: the engine's Sleep advances virtual time at once, running
// the events scheduled on the way (a new notice sent, a pushed read), in
// the engine's goroutine, so a run is deterministic and takes no real
// time. The run ends (its context is cancelled) when time reaches end.
type vclock struct {
	mu     sync.Mutex
	now    time.Time
	end    time.Time
	cancel context.CancelFunc
	events eventQueue
	seq    int
	// sleeps counts the engine's waits, and wakeups those ended by a wake.
	sleeps, wakeups int
	slept           []time.Duration
}

func newVClock(start, end time.Time) (*vclock, context.Context) {
	ctx, cancel := context.WithCancel(context.Background())
	return &vclock{now: start, end: end, cancel: cancel}, ctx
}

// Now is the virtual time.
func (v *vclock) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// At schedules fn at t (in order of t, then of scheduling).
func (v *vclock) At(t time.Time, fn func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	heap.Push(&v.events, &event{at: t, seq: v.seq, fn: fn})
}

// Sleep is Options.Sleep on virtual time.
func (v *vclock) Sleep(ctx context.Context, d time.Duration, wake <-chan struct{}) bool {
	v.mu.Lock()
	v.sleeps++
	v.slept = append(v.slept, d)
	target := v.now.Add(d)
	v.mu.Unlock()
	for {
		select {
		case <-wake:
			v.mu.Lock()
			v.wakeups++
			v.mu.Unlock()
			return true
		default:
		}
		if ctx.Err() != nil {
			return false
		}
		v.mu.Lock()
		if len(v.events) > 0 && !v.events[0].at.After(target) {
			ev := heap.Pop(&v.events).(*event)
			if ev.at.After(v.now) {
				v.now = ev.at
			}
			v.mu.Unlock()
			ev.fn() // may wake the engine: checked at the top
			continue
		}
		v.now = target
		done := !v.now.Before(v.end)
		v.mu.Unlock()
		if done {
			v.cancel()
		}
		return false
	}
}

type event struct {
	at  time.Time
	seq int
	fn  func()
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	ev := old[len(old)-1]
	*q = old[:len(old)-1]
	return ev
}
