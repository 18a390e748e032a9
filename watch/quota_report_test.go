package watch

import (
	"cmp"
	"container/heap"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The quota report (issue 12 item 7): five workloads, each watched by every
// strategy, over many seeds; the figures in BENCHMARKS.md come from it.
// It takes minutes, so it runs only when asked:
//
//	DINGWATCH_QUOTA_REPORT=1 go test -run TestQuotaReport -v -timeout 2h ./watch/
//
// DINGWATCH_QUOTA_SEEDS sets the number of seeds (default 20);
// DINGWATCH_QUOTA_ONLY runs only the workloads whose name holds it.

// qrWorkload is a pattern of notices: when each is sent, to how many people,
// and the organisation's monthly quota of metered calls (0: no cap).
type qrWorkload struct {
	name   string
	sends  []time.Duration // offsets of each notice's send from t0
	people int             // recipients per notice, 20 a key
	quota  int
}

func qrDaily(perDay, days int) []time.Duration {
	var out []time.Duration
	for d := range days {
		for i := range perDay {
			// 09:00, 13:00, 17:00 for three a day; 09:00 for one.
			out = append(out, time.Duration(d)*24*time.Hour+time.Duration(4*i)*time.Hour)
		}
	}
	return out
}

// qrWorkloads are issue 12's.
func qrWorkloads() []qrWorkload {
	return []qrWorkload{
		{name: "one 200-person notice", sends: qrDaily(1, 1), people: 200},
		{name: "one 200-person notice a day for 30 days, 5,000 calls a month", sends: qrDaily(1, 30), people: 200, quota: 5000},
		{name: "three 200-person notices a day for 30 days, 5,000 calls a month", sends: qrDaily(3, 30), people: 200, quota: 5000},
		{name: "one 2,000-person notice", sends: qrDaily(1, 1), people: 2000},
		{name: "one 20,000-person notice", sends: qrDaily(1, 1), people: 20000},
	}
}

// qrKey is one processQueryKey of the world: its recipients and when each
// reads, as an offset from its send (negative: never).
type qrKey struct {
	id     string
	sentAt time.Time
	users  []string
	readIn []time.Duration // by user
	sorted []time.Duration // the reads that happen, ascending
}

// qrWorld is one seed's draw of a workload: every key, every read.
type qrWorld struct {
	w    qrWorkload
	keys []*qrKey
	byID map[string]*qrKey
}

func newQRWorld(w qrWorkload, seed uint64) *qrWorld {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	world := &qrWorld{w: w, byID: map[string]*qrKey{}}
	for n, at := range w.sends {
		for k := 0; k*20 < w.people; k++ {
			key := &qrKey{id: fmt.Sprintf("qr%03dk%04d", n, k), sentAt: t0.Add(at)}
			for u := k * 20; u < min(w.people, (k+1)*20); u++ {
				key.users = append(key.users, fmt.Sprintf("n%03du%05d", n, u))
				d, ok := drawReadDelay(rng.Float64())
				if !ok {
					d = -1
				} else {
					key.sorted = append(key.sorted, d)
				}
				key.readIn = append(key.readIn, d)
			}
			slices.Sort(key.sorted)
			world.keys = append(world.keys, key)
			world.byID[key.id] = key
		}
	}
	return world
}

// end is when the last key's window closes.
func (w *qrWorld) end() time.Time {
	return t0.Add(w.w.sends[len(w.w.sends)-1] + Window)
}

// qrRun is what one strategy did on one world: the calls it made and, per
// read made within its key's window, when it was first shown.
type qrRun struct {
	calls int
	shown map[string]time.Time // key/user → first shown
}

// qrSeedResult is one strategy's figures on one seed.
type qrSeedResult struct {
	calls         int
	median, p90   time.Duration // -1: no read shown at all
	missed, reads int
}

// measure compares what was shown with when people read: delays of reads
// made within their key's window (nobody can be asked after it).
func (w *qrWorld) measure(r qrRun) qrSeedResult {
	res := qrSeedResult{calls: r.calls, median: -1, p90: -1}
	var ds []time.Duration
	for _, k := range w.keys {
		for i, d := range k.readIn {
			if d < 0 || d >= Window {
				continue
			}
			res.reads++
			s, ok := r.shown[k.id+"/"+k.users[i]]
			if !ok {
				res.missed++
				continue
			}
			ds = append(ds, max(0, s.Sub(k.sentAt.Add(d))))
		}
	}
	slices.Sort(ds)
	if len(ds) > 0 {
		res.median, res.p90 = ds[len(ds)/2], ds[len(ds)*9/10]
	}
	return res
}

// qrPolicy is a naive watcher's rule for the pause after each poll of a
// key: a fixed period (every), or doubling from first up to most after
// every poll that shows nothing new, back to first when one does.
type qrPolicy struct {
	every       time.Duration
	first, most time.Duration
}

// next is the pause after a poll; state is the key's own memory.
func (p qrPolicy) next(state *time.Duration, sawNew bool) time.Duration {
	if p.every > 0 {
		return p.every
	}
	switch {
	case sawNew || *state == 0:
		*state = p.first
	default:
		*state = min(2**state, p.most)
	}
	return *state
}

// qrNaive is one key's progress under a naive watcher.
type qrNaive struct {
	k     *qrKey
	at    time.Time // the next poll
	seen  int       // reads shown so far: an index into k.sorted
	state time.Duration
	done  bool
}

// poll makes the poll at n.at (answered: within the quota), records what it
// shows, and moves n.at to the next poll. It returns the calls made: with a
// fixed period, the polls that cannot show anything until the next read
// (or the window's end) are counted at once and skipped.
func (n *qrNaive) poll(p qrPolicy, answered bool, shown map[string]time.Time) int {
	k, end := n.k, n.k.sentAt.Add(Window)
	sawNew := false
	if answered {
		for n.seen < len(k.sorted) && !k.sentAt.Add(k.sorted[n.seen]).After(n.at) {
			n.seen++
			sawNew = true
		}
		if sawNew {
			for i, d := range k.readIn {
				if id := k.id + "/" + k.users[i]; d >= 0 && !k.sentAt.Add(d).After(n.at) {
					if _, ok := shown[id]; !ok {
						shown[id] = n.at
					}
				}
			}
		}
		if n.seen == len(k.users) {
			n.done = true // everyone has read: a sane watcher stops
			return 1
		}
	}
	step := p.next(&n.state, sawNew)
	calls := 1
	if p.every > 0 {
		target := end
		if answered && n.seen < len(k.sorted) {
			target = minTime(end, k.sentAt.Add(k.sorted[n.seen]))
		}
		if skip := (target.Sub(n.at) + step - 1) / step; skip > 1 {
			calls += int(skip) - 1 // polls before target show nothing
			n.at = n.at.Add(time.Duration(skip-1) * step)
		}
	}
	n.at = n.at.Add(step)
	if !n.at.Before(end) {
		n.done = true
	}
	return calls
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// qrPolls orders keys by their next poll, for the quota's sake: the calls
// past the monthly quota are the latest ones.
type qrPolls []*qrNaive

func (h qrPolls) Len() int           { return len(h) }
func (h qrPolls) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h qrPolls) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *qrPolls) Push(x any)        { *h = append(*h, x.(*qrNaive)) }
func (h *qrPolls) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// runNaive watches the world with a naive rule: every key from its send
// until everyone has read or its window closes, with no budget. Calls past
// the monthly quota are refused and show nothing, as DingTalk refuses them
// (ApiCountLimitForOrg), but a naive watcher keeps making them.
func (w *qrWorld) runNaive(p qrPolicy) qrRun {
	run := qrRun{shown: map[string]time.Time{}}
	keys := make([]*qrNaive, len(w.keys))
	for i, k := range w.keys {
		keys[i] = &qrNaive{k: k, at: k.sentAt}
	}
	if w.w.quota == 0 {
		for _, n := range keys { // keys are independent without a quota
			for !n.done {
				run.calls += n.poll(p, true, run.shown)
			}
		}
		return run
	}
	h := qrPolls(keys)
	heap.Init(&h)
	for h.Len() > 0 {
		n := heap.Pop(&h).(*qrNaive)
		if run.calls < w.w.quota {
			// One poll at a time while the quota lasts (no skipping: the
			// calls must be counted in time order).
			q := p
			q.every = 0
			if p.every > 0 {
				q = qrPolicy{first: p.every, most: p.every}
			}
			run.calls += n.poll(q, true, run.shown)
		} else {
			run.calls += n.poll(p, false, run.shown)
		}
		if !n.done {
			heap.Push(&h, n)
		}
	}
	return run
}

// qrStrategy is one way of watching a world, by name.
type qrStrategy struct {
	name string
	run  func(w *qrWorld, seed uint64) qrRun
}

func qrStrategies() []qrStrategy {
	return []qrStrategy{
		{"fixed 5 s polling", func(w *qrWorld, _ uint64) qrRun { return w.runNaive(qrPolicy{every: 5 * time.Second}) }},
		{"fixed 60 s polling", func(w *qrWorld, _ uint64) qrRun { return w.runNaive(qrPolicy{every: time.Minute}) }},
		{"doubling backoff (5 s to 1 h)", func(w *qrWorld, _ uint64) qrRun {
			return w.runNaive(qrPolicy{first: 5 * time.Second, most: time.Hour})
		}},
		{"dingwatch polling, default budget", func(w *qrWorld, _ uint64) qrRun { return w.runEngine(Policy{Budget: DefaultBudget}) }},
	}
}

// qrRow is one strategy's figures over every seed of a workload.
type qrRow struct {
	name  string
	seeds []qrSeedResult
}

// qrStat is the median and the worst over seeds of one figure; bigger is worse.
func qrStat[T cmp.Ordered](xs []T) (median, worst T) {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2], s[len(s)-1]
}

// qrDelayStat is qrStat for delays, where -1 (nothing shown) is the worst.
func qrDelayStat(xs []time.Duration) (median, worst time.Duration) {
	s := slices.Clone(xs)
	for i, d := range s {
		if d < 0 {
			s[i] = 1 << 62
		}
	}
	m, w := qrStat(s)
	back := func(d time.Duration) time.Duration {
		if d == 1<<62 {
			return -1
		}
		return d
	}
	return back(m), back(w)
}

func qrDur(d time.Duration) string {
	switch {
	case d < 0:
		return "never"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min %02d s", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func qrInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// qrTable is the markdown table of one workload's rows; the push rows say
// how many times fewer calls they made than polling with the default budget.
func qrTable(w qrWorkload, rows []qrRow, seeds int, baseline string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s seeds; each cell: median over seeds / worst seed)\n\n", w.name, qrInt(seeds))
	b.WriteString("| strategy | calls | median delay | p90 delay | reads never shown |\n|---|---:|---:|---:|---:|\n")
	var base int
	for _, r := range rows {
		if r.name == baseline {
			calls := make([]int, len(r.seeds))
			for i, s := range r.seeds {
				calls[i] = s.calls
			}
			base, _ = qrStat(calls)
		}
	}
	for _, r := range rows {
		var calls, missed []int
		var med, p90 []time.Duration
		reads := 0
		for _, s := range r.seeds {
			calls, missed = append(calls, s.calls), append(missed, s.missed)
			med, p90 = append(med, s.median), append(p90, s.p90)
			reads = s.reads
		}
		cm, cw := qrStat(calls)
		mm, mw := qrDelayStat(med)
		pm, pw := qrDelayStat(p90)
		xm, xw := qrStat(missed)
		callText := fmt.Sprintf("%s / %s", qrInt(cm), qrInt(cw))
		if strings.Contains(r.name, "push") && base > 0 && cm > 0 {
			callText += fmt.Sprintf(" (%.0f× fewer)", float64(base)/float64(cm))
		}
		fmt.Fprintf(&b, "| %s | %s | %s / %s | %s / %s | %s / %s of ~%s |\n", r.name, callText,
			qrDur(mm), qrDur(mw), qrDur(pm), qrDur(pw), qrInt(xm), qrInt(xw), qrInt(reads))
	}
	return b.String()
}

func TestQuotaReport(t *testing.T) {
	if os.Getenv("DINGWATCH_QUOTA_REPORT") == "" {
		t.Skip("set DINGWATCH_QUOTA_REPORT=1 to run the quota report (minutes)")
	}
	seeds := 20
	if v, err := strconv.Atoi(os.Getenv("DINGWATCH_QUOTA_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	only := os.Getenv("DINGWATCH_QUOTA_ONLY")
	var out strings.Builder
	for _, w := range qrWorkloads() {
		if only != "" && !strings.Contains(w.name, only) {
			continue
		}
		start := time.Now()
		strategies := qrStrategies()
		rows := make([]qrRow, len(strategies))
		for i, s := range strategies {
			rows[i] = qrRow{name: s.name, seeds: make([]qrSeedResult, seeds)}
		}
		// Seeds run side by side; each run has its own world and clock.
		var wg sync.WaitGroup
		sem := make(chan struct{}, runtime.GOMAXPROCS(0))
		for seed := range seeds {
			for i, s := range strategies {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					world := newQRWorld(w, uint64(seed)+1)
					rows[i].seeds[seed] = world.measure(s.run(world, uint64(seed)+1))
				}()
			}
		}
		wg.Wait()
		table := qrTable(w, rows, seeds, "dingwatch polling, default budget")
		out.WriteString(table + "\n")
		t.Logf("%s: %v", w.name, time.Since(start).Round(time.Second))
		fmt.Print(table + "\n")
	}
	if path := os.Getenv("DINGWATCH_QUOTA_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQuotaReportNaiveSkip: skipping the polls that cannot show anything
// (what keeps the report fast) changes neither the calls nor what is shown,
// against polling one step at a time, with and without a quota.
func TestQuotaReportNaiveSkip(t *testing.T) {
	for _, w := range []qrWorkload{
		{name: "one", sends: qrDaily(1, 1), people: 200},
		{name: "capped", sends: qrDaily(1, 3), people: 200, quota: 20000},
	} {
		world := newQRWorld(w, 7)
		fast := world.runNaive(qrPolicy{every: 10 * time.Second})
		slow := world.runNaive(qrPolicy{first: 10 * time.Second, most: 10 * time.Second})
		if fast.calls != slow.calls || len(fast.shown) != len(slow.shown) {
			t.Fatalf("%s: %d calls and %d shown skipping; %d and %d step by step", w.name, fast.calls, len(fast.shown), slow.calls, len(slow.shown))
		}
		for id, at := range slow.shown {
			if !fast.shown[id].Equal(at) {
				t.Fatalf("%s: %s shown at %v skipping, %v step by step", w.name, id, fast.shown[id], at)
			}
		}
		if r := world.measure(fast); w.quota > 0 && (r.calls <= w.quota || r.missed < r.reads/2) {
			t.Fatalf("%s: %d calls, %d never shown: a naive watcher keeps calling past the quota, and shows nothing after day one", w.name, r.calls, r.missed)
		}
	}
}
