package stream

import (
	"context"
	"sync"
)

// queue hands decoded events to Config.OnEvent on a goroutine of its own,
// in arrival order, so a slow consumer never holds up the read loop (and
// with it the 3 s ACK deadline). It is bounded: past limit waiting events
// the newest is dropped and counted; reconciliation polling finds what a
// dropped event would have said.
type queue struct {
	mu      sync.Mutex
	items   []Event
	limit   int
	wake    chan struct{}
	dropped int64
}

func newQueue(limit int) *queue {
	return &queue{limit: limit, wake: make(chan struct{}, 1)}
}

// push adds ev; false when the queue was full and ev was dropped.
func (q *queue) push(ev Event) bool {
	q.mu.Lock()
	if len(q.items) >= q.limit {
		q.dropped++
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

// run calls fn for each event until ctx ends; events still waiting then
// are dropped.
func (q *queue) run(ctx context.Context, fn func(Event)) {
	for {
		q.mu.Lock()
		batch := q.items
		q.items = nil
		q.mu.Unlock()
		for _, ev := range batch {
			if ctx.Err() != nil {
				return
			}
			if fn != nil {
				fn(ev)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		}
	}
}
