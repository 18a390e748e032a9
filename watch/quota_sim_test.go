package watch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// The quota simulation. A workload (notices sent over days, each to some
// people in keys of 20) meets a strategy (a way of polling, or
// dingwatch's engine) on a virtual clock; DingTalk is a world that
// answers from read times drawn for each person and remembers when each
// read was first told to the watcher. dingwatch runs through its own loop
// (Engine.Run, with its replanning and sleeps) on the virtual clock
// (vclock_test.go), not a stand-in for it.
//
// Reads arrive on a realistic curve: about half within 10 minutes, 90%
// within 4 hours, 5% never.
//
// The full report (every workload and strategy, 20 seeds, median and
// worst) takes minutes:
//
//	DINGWATCH_QUOTA_REPORT=1 go test -run TestQuotaReport -v -timeout 1h ./watch/
//
// (DINGWATCH_QUOTA_SEEDS=n for another number of seeds,
// DINGWATCH_QUOTA_ONLY=text for the workload named text, or those whose name holds it,
// DINGWATCH_QUOTA_STRATEGIES="a|b" for the strategies whose name holds a or b.) TestQuotaSimulation
// checks the essentials on the one-notice workload in a few seconds.
//
// To add a strategy, add a simStrategy to simStrategies (its run drives
// the world's ReadStatus, or calls w.tell for a read it learnt another way,
// such as a pushed event); to add a workload, add it to simWorkloads.

// readCurve maps a uniform draw to a read delay by interpolating log-time
// between quantiles; the last 5% never read.
var readCurve = []struct {
	q float64
	d time.Duration
}{{0, 20 * time.Second}, {0.5, 10 * time.Minute}, {0.9, 4 * time.Hour}, {0.95, 20 * time.Hour}}

func drawReadDelay(u float64) (time.Duration, bool) {
	for i := 1; i < len(readCurve); i++ {
		a, b := readCurve[i-1], readCurve[i]
		if u < b.q {
			f := (u - a.q) / (b.q - a.q)
			return time.Duration(math.Exp(math.Log(float64(a.d)) + f*(math.Log(float64(b.d))-math.Log(float64(a.d))))), true
		}
	}
	return 0, false
}

// simWorkload is notices sent over a span.
type simWorkload struct {
	name    string
	notices []simNotice
	span    time.Duration // how long the run lasts (the last notice's window included)
	quota   int           // calls a month it is meant to fit, for the report (0: none)
}

// simNotice is one notice: sent at a time after the start, to people.
type simNotice struct {
	at     time.Duration
	people int
}

// daily is n notices of people each day for days days, sent during the
// working day (09:00, then every three hours).
func daily(name string, days, n, people int) simWorkload {
	w := simWorkload{name: name, span: time.Duration(days)*24*time.Hour + Window, quota: DefaultMonthlyQuota}
	for d := range days {
		for i := range n {
			w.notices = append(w.notices, simNotice{at: time.Duration(d)*24*time.Hour + time.Duration(i)*3*time.Hour, people: people})
		}
	}
	return w
}

func single(name string, people int) simWorkload {
	return simWorkload{name: name, notices: []simNotice{{0, people}}, span: Window}
}

// simWorkloads are the workloads of the report.
var simWorkloads = []simWorkload{
	single("one 200-person notice", 200),
	daily("one 200-person notice a day, 30 days", 30, 1, 200),
	daily("three 200-person notices a day, 30 days", 30, 3, 200),
	single("one 2,000-person notice", 2000),
	single("one 20,000-person notice", 20000),
}

// simKey is one key of the world: when it was sent, to whom, and when
// each of them reads (zero: never).
type simKey struct {
	sentAt time.Time
	users  []string
	readAt []time.Time
}

// world is DingTalk for one run.
type world struct {
	now   func() time.Time
	start time.Time
	end   time.Time
	keys  map[string]*simKey
	sends []simSend // in time order

	mu    sync.Mutex
	calls int
	early int                  // calls in the first hour after the first send
	told  map[string]time.Time // key/user → when the watcher first learnt of the read
}

// simSend is the keys of one notice, sent at at.
type simSend struct {
	at   time.Time
	keys []string
}

func newWorld(wl simWorkload, seed uint64, start time.Time, now func() time.Time) *world {
	w := &world{now: now, start: start, end: start.Add(wl.span), keys: map[string]*simKey{}, told: map[string]time.Time{}}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for ni, n := range wl.notices {
		s := simSend{at: start.Add(n.at)}
		for i := 0; i < n.people; i += dingtalk.MaxBatch {
			k := &simKey{sentAt: s.at}
			for j := i; j < min(i+dingtalk.MaxBatch, n.people); j++ {
				k.users = append(k.users, fmt.Sprintf("u%d-%d", ni, j))
				var at time.Time
				if d, ok := drawReadDelay(rng.Float64()); ok {
					at = s.at.Add(d)
				}
				k.readAt = append(k.readAt, at)
			}
			name := fmt.Sprintf("sim%03dk%04d", ni, i/dingtalk.MaxBatch)
			w.keys[name] = k
			s.keys = append(s.keys, name)
		}
		w.sends = append(w.sends, s)
	}
	return w
}

// ReadStatus answers from the read times at the world's now, counts the
// call, and notes the reads the answer tells.
func (w *world) ReadStatus(_ context.Context, _, key string) (dingtalk.ReadStatus, error) {
	now := w.now()
	k := w.keys[key]
	rs := dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if now.Before(w.firstHourEnd()) {
		w.early++
	}
	for i, u := range k.users {
		read := !k.readAt[i].IsZero() && !now.Before(k.readAt[i])
		rs.Recipients = append(rs.Recipients, dingtalk.Recipient{UserID: u, Name: u, Read: read})
		if read {
			w.tellLocked(key, u, now)
		}
	}
	return rs, nil
}

// firstHourEnd is an hour after the first send: the calls before it are
// what a strategy spends as a notice arrives.
func (w *world) firstHourEnd() time.Time {
	if len(w.sends) == 0 {
		return w.start.Add(time.Hour)
	}
	return w.sends[0].at.Add(time.Hour)
}

// tell notes that the watcher learnt at at that user read key.
func (w *world) tell(key, user string, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tellLocked(key, user, at)
}

func (w *world) tellLocked(key, user string, at time.Time) {
	id := key + "/" + user
	if have, ok := w.told[id]; !ok || at.Before(have) {
		w.told[id] = at
	}
}

// simResult is what one run of a strategy spent and how late it showed reads.
type simResult struct {
	calls         int
	early         int // calls in the first hour after the first send
	median, p90   time.Duration
	missed, reads int
}

// result measures the run: every read made within its key's window
// counts; a read never told is missed.
func (w *world) result() simResult {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := simResult{calls: w.calls, early: w.early}
	var ds []time.Duration
	for name, k := range w.keys {
		for i, at := range k.readAt {
			if at.IsZero() || !at.Before(k.sentAt.Add(Window)) || !at.Before(w.end) {
				continue // never read, or too late for anyone to see
			}
			r.reads++
			told, ok := w.told[name+"/"+k.users[i]]
			if !ok {
				r.missed++
				continue
			}
			ds = append(ds, told.Sub(at))
		}
	}
	slices.Sort(ds)
	r.median, r.p90 = noneShown, noneShown
	if len(ds) > 0 {
		r.median, r.p90 = ds[len(ds)/2], ds[len(ds)*9/10]
	}
	return r
}

// noneShown is the delay of a run that showed no read at all: worse than
// any delay, and printed as such.
const noneShown = time.Duration(math.MaxInt64)

// simStrategy is one way of watching a workload.
type simStrategy struct {
	name string
	// run watches the world from w.start to w.end; calls and what was
	// told are counted by the world.
	run func(w *world, vc *vclock, ctx context.Context)
}

// simStrategies are the strategies of the report. The push strategies
// (dingwatch with DingTalk Stream events, some lost) join them here.
var simStrategies = []simStrategy{
	{"fixed 5 s polling", fixedPolling(5 * time.Second)},
	{"fixed 60 s polling", fixedPolling(60 * time.Second)},
	{"naive doubling (5 s, ×2 while nothing changes, ≤ 1 h)", doublingPolling(5*time.Second, time.Hour)},
	{"dingwatch, no budget", dingwatchPolling(Policy{})},
	{fmt.Sprintf("dingwatch, default budget (%d/day)", DefaultBudget), dingwatchPolling(Policy{Budget: DefaultBudget})},
	{"dingwatch + push, every event delivered", dingwatchPush(Policy{Budget: DefaultBudget}, 0, pushOutage{})},
	{"dingwatch + push, 1% of events lost", dingwatchPush(Policy{Budget: DefaultBudget}, 0.01, pushOutage{})},
	{"dingwatch + push, 10% of events lost", dingwatchPush(Policy{Budget: DefaultBudget}, 0.1, pushOutage{})},
	{"dingwatch + push, stream down 1 h (from 5 min after the first send)", dingwatchPush(Policy{Budget: DefaultBudget}, 0, pushOutage{5 * time.Minute, time.Hour})},
	{"dingwatch + push, 1% of events lost, keys sent by dingwatch (recipients known)", dingwatchPushSent(Policy{Budget: DefaultBudget}, 0.01)},
	// The same with the first push release's reconciliation (every first
	// look at once), for the report's before and after.
	{"before: dingwatch + push, every event delivered", dingwatchPush(eagerFirstLooks(Policy{Budget: DefaultBudget}), 0, pushOutage{})},
	{"before: dingwatch + push, 1% of events lost", dingwatchPush(eagerFirstLooks(Policy{Budget: DefaultBudget}), 0.01, pushOutage{})},
	{"before: dingwatch + push, 10% of events lost", dingwatchPush(eagerFirstLooks(Policy{Budget: DefaultBudget}), 0.1, pushOutage{})},
	{"before: dingwatch + push, stream down 1 h (from 5 min after the first send)", dingwatchPush(eagerFirstLooks(Policy{Budget: DefaultBudget}), 0, pushOutage{5 * time.Minute, time.Hour})},
	{"before: dingwatch + push, 1% of events lost, keys sent by dingwatch (recipients known)", dingwatchPushSent(eagerFirstLooks(Policy{Budget: DefaultBudget}), 0.01)},
}

// eagerFirstLooks is p reconciling as the first push release did.
func eagerFirstLooks(p Policy) Policy {
	p.eagerFirstLook = true
	return p
}

// fixedPolling asks every key every interval of its window, from its send.
// It is worked out per key, not stepped (5 s polling of a 20,000-person
// notice is 17 million calls): a read is told at the first poll at or
// after it.
func fixedPolling(interval time.Duration) func(*world, *vclock, context.Context) {
	return func(w *world, _ *vclock, _ context.Context) {
		for name, k := range w.keys {
			end := minTime(k.sentAt.Add(Window), w.end)
			polls := int((end.Sub(k.sentAt) + interval - 1) / interval)
			w.calls += polls
			if h := w.firstHourEnd(); k.sentAt.Before(h) {
				w.early += min(polls, int((h.Sub(k.sentAt)+interval-1)/interval))
			}
			for i, at := range k.readAt {
				if at.IsZero() {
					continue
				}
				n := (at.Sub(k.sentAt) + interval - 1) / interval
				if poll := k.sentAt.Add(n * interval); poll.Before(end) {
					w.tell(name, k.users[i], poll)
				}
			}
		}
	}
}

// doublingPolling asks each key first at its send, then waits base,
// doubling the wait after every answer with no new read (up to most) and
// going back to base after one with a new read; it stops once everyone
// read or the window closed.
func doublingPolling(base, most time.Duration) func(*world, *vclock, context.Context) {
	return func(w *world, _ *vclock, _ context.Context) {
		for name, k := range w.keys {
			end := minTime(k.sentAt.Add(Window), w.end)
			seen := make([]bool, len(k.users))
			left := len(k.users)
			for t, d := k.sentAt, base; t.Before(end) && left > 0; t = t.Add(d) {
				w.calls++
				if t.Before(w.firstHourEnd()) {
					w.early++
				}
				fresh := false
				for i, at := range k.readAt {
					if !seen[i] && !at.IsZero() && !t.Before(at) {
						seen[i], fresh = true, true
						left--
						w.tell(name, k.users[i], t)
					}
				}
				if fresh {
					d = base
				} else {
					d = min(2*d, most)
				}
			}
		}
	}
}

// dingwatchPolling runs the engine's own loop with policy p on the
// virtual clock: each notice's keys are added when it is sent.
func dingwatchPolling(p Policy) func(*world, *vclock, context.Context) {
	return func(w *world, vc *vclock, ctx context.Context) {
		e := NewEngine(Options{Client: w, RobotCode: "simbot", Now: vc.Now, Sleep: vc.Sleep, Policy: p})
		for _, s := range w.sends {
			vc.At(s.at, func() { e.Add(AddSpec{Keys: s.keys, SentAt: s.at}) })
		}
		e.Run(ctx)
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// simulate runs strategy s on workload wl with one seed.
func simulate(wl simWorkload, s simStrategy, seed uint64) simResult {
	return simulateWorld(wl, s, seed).result()
}

// simulateWorld is simulate returning the world after the run, for tests
// that look at when each read was told.
func simulateWorld(wl simWorkload, s simStrategy, seed uint64) *world {
	start := t0
	vc, ctx := newVClock(start, start.Add(wl.span))
	w := newWorld(wl, seed, start, vc.Now)
	s.run(w, vc, ctx)
	return w
}

// simSummary is the runs of one strategy on one workload over seeds.
type simSummary struct {
	runs []simResult
}

// stat is the median and the worst of f over the runs.
func (s simSummary) stat(f func(simResult) float64) (median, worst float64) {
	vs := make([]float64, len(s.runs))
	for i, r := range s.runs {
		vs[i] = f(r)
	}
	slices.Sort(vs)
	return vs[len(vs)/2], vs[len(vs)-1]
}

func fmtDur(f float64) string {
	d := time.Duration(f)
	switch {
	case f >= float64(noneShown):
		return "none shown"
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return d.Round(time.Second).String()
}

// thousands is a count with a comma every three digits.
func thousands(f float64) string {
	s := strconv.FormatFloat(math.Round(f), 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ratio is a factor to two significant figures: 0.89, 5.6, 533.
func ratio(f float64) string {
	switch {
	case f >= 10:
		return thousands(f)
	case f >= 1:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// report runs every strategy on every workload over seeds and returns a
// Markdown table: median over the seeds, worst in brackets.
func report(workloads []simWorkload, strategies []simStrategy, seeds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Each cell: median over %d seeds [worst].\n", seeds)
	for _, wl := range workloads {
		fmt.Fprintf(&b, "\n**%s**\n\n| strategy | readStatus calls | in the first hour | median delay | p90 delay | reads never shown |\n|---|---:|---:|---:|---:|---:|\n", wl.name)
		// Median calls of dingwatch polling with the default budget and of
		// 60 s polling, which the push rows are measured against.
		polled, fixed60 := 0.0, 0.0
		for _, st := range strategies {
			sum := simSummary{runs: make([]simResult, seeds)}
			var wg sync.WaitGroup
			sem := make(chan struct{}, runtime.GOMAXPROCS(0))
			for seed := range seeds {
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					sum.runs[seed] = simulate(wl, st, uint64(seed)+2026)
				})
			}
			wg.Wait()
			cm, cw := sum.stat(func(r simResult) float64 { return float64(r.calls) })
			em, ew := sum.stat(func(r simResult) float64 { return float64(r.early) })
			mm, mw := sum.stat(func(r simResult) float64 { return float64(r.median) })
			pm, pw := sum.stat(func(r simResult) float64 { return float64(r.p90) })
			xm, xw := sum.stat(func(r simResult) float64 { return float64(r.missed) })
			_, rw := sum.stat(func(r simResult) float64 { return float64(r.reads) })
			calls := fmt.Sprintf("%s [%s]", thousands(cm), thousands(cw))
			if wl.quota > 0 {
				calls += fmt.Sprintf(" (%s× the %s/month quota)", ratio(cw/float64(wl.quota)), thousands(float64(wl.quota)))
			}
			switch {
			case strings.HasPrefix(st.name, "fixed 60 s"):
				fixed60 = cm
			case strings.HasPrefix(st.name, "dingwatch, default budget"):
				polled = cm
			case strings.Contains(st.name, "push") && polled > 0 && cm > 0:
				calls += fmt.Sprintf(": %s× fewer than dingwatch polling, %s× fewer than 60 s polling", ratio(polled/cm), ratio(fixed60/cm))
			}
			fmt.Fprintf(&b, "| %s | %s | %s [%s] | %s [%s] | %s [%s] | %s [%s] of ~%s |\n", st.name, calls, thousands(em), thousands(ew),
				fmtDur(mm), fmtDur(mw), fmtDur(pm), fmtDur(pw), thousands(xm), thousands(xw), thousands(rw))
		}
	}
	return b.String()
}

// TestQuotaReport prints the full table for BENCHMARKS.md; it runs only
// when DINGWATCH_QUOTA_REPORT is set (it takes minutes).
func TestQuotaReport(t *testing.T) {
	if os.Getenv("DINGWATCH_QUOTA_REPORT") == "" {
		t.Skip("set DINGWATCH_QUOTA_REPORT=1 for the full quota report (minutes)")
	}
	seeds := 20
	if n, err := strconv.Atoi(os.Getenv("DINGWATCH_QUOTA_SEEDS")); err == nil && n > 0 {
		seeds = n
	}
	workloads := simWorkloads
	if only := os.Getenv("DINGWATCH_QUOTA_ONLY"); only != "" {
		workloads = nil
		for _, wl := range simWorkloads {
			if wl.name == only || strings.Contains(wl.name, only) && !slices.ContainsFunc(simWorkloads, func(w simWorkload) bool { return w.name == only }) {
				workloads = append(workloads, wl)
			}
		}
	}
	strategies := simStrategies
	if only := os.Getenv("DINGWATCH_QUOTA_STRATEGIES"); only != "" {
		strategies = nil
		for _, st := range simStrategies {
			if slices.ContainsFunc(strings.Split(only, "|"), func(part string) bool { return part != "" && strings.Contains(st.name, part) }) {
				strategies = append(strategies, st)
			}
		}
	}
	t.Log("\n" + report(workloads, strategies, seeds))
}

// TestQuotaSimulation checks, on one 200-person notice over a few seeds,
// what the README promises: the engine's own loop keeps within the
// budget, shows every read made within the window, and without a budget
// spends far fewer calls than 60 s polling at a delay of about a minute.
func TestQuotaSimulation(t *testing.T) {
	wl := simWorkloads[0]
	byName := func(prefix string) simStrategy {
		for _, s := range simStrategies {
			if strings.HasPrefix(s.name, prefix) {
				return s
			}
		}
		t.Fatalf("no strategy %q", prefix)
		return simStrategy{}
	}
	for seed := uint64(1); seed <= 3; seed++ {
		fixed5 := simulate(wl, byName("fixed 5 s"), seed)
		fixed60 := simulate(wl, byName("fixed 60 s"), seed)
		free := simulate(wl, byName("dingwatch, no budget"), seed)
		budget := simulate(wl, byName("dingwatch, default budget"), seed)
		t.Logf("seed %d: 5 s %+v; 60 s %+v; no budget %+v; default budget %+v", seed, fixed5, fixed60, free, budget)
		if fixed5.calls != 10*17280 {
			t.Errorf("the 5 s anchor made %d calls", fixed5.calls)
		}
		if free.calls*5 > fixed60.calls || free.median > 2*time.Minute || free.missed > 0 {
			t.Errorf("dingwatch without a budget: %+v against 60 s polling %+v", free, fixed60)
		}
		if budget.calls > DefaultBudget || budget.missed > 0 {
			t.Errorf("dingwatch with the default budget: %+v", budget)
		}
	}
}
