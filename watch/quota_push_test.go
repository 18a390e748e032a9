package watch

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The push strategies of the quota simulation: dingwatch's engine, with the
// default budget, told of reads by DingTalk Stream events (Engine.Push) as
// the Stream client tells it in production, its health by Engine.SetPush.
// Some events are lost, or the stream is down for a while; polling then
// reconciles, on the engine's own schedule.

// pushLatency is how long after a read its event reaches dingwatch: the
// Stream client hands an event on as soon as it has acknowledged it.
const pushLatency = time.Second

// pushOutage is the stream down for an hour, from 5 minutes after the
// first notice is sent: the busiest hour of a notice's reads.
type pushOutage struct{ from, length time.Duration }

// dingwatchPush runs the engine with policy p as dingwatchPolling does,
// with every read of the world pushed pushLatency after it happens, except
// a share lost (drawn per event) and those that happen while the stream is
// down.
func dingwatchPush(p Policy, lost float64, down pushOutage) func(*world, *vclock, context.Context) {
	return dingwatchPushDropping(p, lost, down, nil, false)
}

// dingwatchPushSent is dingwatchPush with the keys added as dingwatch's
// own send adds them: who each key went to is known (all unread) before
// DingTalk's first answer.
func dingwatchPushSent(p Policy, lost float64) func(*world, *vclock, context.Context) {
	return dingwatchPushDropping(p, lost, pushOutage{}, nil, true)
}

// pushedRead is one read's event: its key, its reader, and when it
// happened.
type pushedRead struct {
	key, user string
	at        time.Time
}

// dingwatchPushDropping is dingwatchPush that also lists, in dropped when
// not nil, the reads whose events were lost (not those of an outage), and
// with sent adds keys as dingwatchPushSent does.
func dingwatchPushDropping(p Policy, lost float64, down pushOutage, dropped *[]pushedRead, sent bool) func(*world, *vclock, context.Context) {
	return func(w *world, vc *vclock, ctx context.Context) {
		e := NewEngine(Options{Client: w, RobotCode: "simbot", Now: vc.Now, Sleep: vc.Sleep, Policy: p})
		e.SetPush(PushStatus{State: PushLive, Since: w.start})
		for _, s := range w.sends {
			vc.At(s.at, func() {
				e.Add(AddSpec{Keys: s.keys, SentAt: s.at})
				if sent {
					e.mu.Lock()
					for _, name := range s.keys {
						e.editKeyLocked(name, func(k *Key) {
							for _, u := range w.keys[name].users {
								k.Recipients = append(k.Recipients, Recipient{UserID: u})
							}
						})
					}
					e.mu.Unlock()
				}
			})
		}
		var outFrom, outTo time.Time
		if down.length > 0 {
			outFrom = w.sends[0].at.Add(down.from)
			outTo = outFrom.Add(down.length)
			vc.At(outFrom, func() { e.SetPush(PushStatus{State: PushReconnecting, Since: outFrom, Err: "simulated outage"}) })
			vc.At(outTo, func() { e.SetPush(PushStatus{State: PushLive, Since: outTo}) })
		}
		rng := rand.New(rand.NewPCG(worldSeed(w), 0x7055))
		type pushed struct {
			key, user string
			at        time.Time
		}
		var sent []pushed
		for _, name := range sortedKeys(w) {
			k := w.keys[name]
			for i, readAt := range k.readAt {
				if readAt.IsZero() {
					continue
				}
				at := readAt.Add(pushLatency)
				if rng.Float64() < lost {
					if dropped != nil && at.Before(w.end) {
						*dropped = append(*dropped, pushedRead{name, k.users[i], readAt})
					}
					continue
				}
				if !at.Before(w.end) || (!outFrom.IsZero() && !at.Before(outFrom) && at.Before(outTo)) {
					continue
				}
				ev := PushEvent{Type: PushRead, Key: name, RobotCode: "simbot", UserID: k.users[i], UnionID: "union-" + k.users[i], At: readAt}
				vc.At(at, func() { e.Push(ev) })
				sent = append(sent, pushed{name, k.users[i], at})
			}
		}
		e.Run(ctx)
		// A pushed read counts as shown only if the engine's state shows it.
		read := map[string]bool{}
		for _, k := range e.Snapshot().State.Keys {
			for _, r := range k.Recipients {
				if r.Read {
					read[k.Key+"/"+r.UserID] = true
				}
			}
		}
		for _, ps := range sent {
			if read[ps.key+"/"+ps.user] {
				w.tell(ps.key, ps.user, ps.at)
			}
		}
	}
}

// sortedKeys are the world's key names in order, so a run draws the same
// losses for the same seed.
func sortedKeys(w *world) []string {
	names := make([]string, 0, len(w.keys))
	for name := range w.keys {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// worldSeed is a number that follows the world's seed (its first key's
// read times), for drawing what a strategy loses.
func worldSeed(w *world) uint64 {
	h := fnv.New64a()
	for _, name := range sortedKeys(w)[:1] {
		for _, at := range w.keys[name].readAt {
			b := at.UnixNano()
			h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24), byte(b >> 32), byte(b >> 40), byte(b >> 48), byte(b >> 56)})
		}
	}
	return h.Sum64()
}

// TestQuotaPush checks, on one 200-person notice over a few seeds, what
// the README promises of push: with every event delivered each read shows
// a moment after it happens for at most three calls a key; lost events and
// an hour's outage are caught by reconciling and polling, so every read
// made within the window is still shown.
func TestQuotaPush(t *testing.T) {
	wl := simWorkloads[0]
	def := Policy{Budget: DefaultBudget}
	for seed := uint64(1); seed <= 3; seed++ {
		all := simulate(wl, simStrategy{"all", dingwatchPush(def, 0, pushOutage{})}, seed)
		lossy := simulate(wl, simStrategy{"10%", dingwatchPush(def, 0.1, pushOutage{})}, seed)
		down := simulate(wl, simStrategy{"down", dingwatchPush(def, 0, pushOutage{5 * time.Minute, time.Hour})}, seed)
		t.Logf("seed %d: all %+v; 10%% lost %+v; down 1 h %+v", seed, all, lossy, down)
		if keys := (200 + 19) / 20; all.calls > 3*keys || all.missed > 0 || all.median != pushLatency {
			t.Errorf("push with every event: %+v (want at most %d calls, none missed, a median of %v)", all, 3*keys, pushLatency)
		}
		if lossy.missed > 0 || down.missed > 0 {
			t.Errorf("reads lost with their events were never shown: 10%% lost %+v, down %+v", lossy, down)
		}
		if down.calls <= all.calls {
			t.Errorf("an hour without the stream made no more calls (%d) than push all along (%d): polling did not resume", down.calls, all.calls)
		}
	}
}
