package watch

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// The quota simulation: a notice to 200 people (10 keys of 20) watched for
// its 24 hours, on a virtual clock. Reads arrive on a realistic curve:
// about half within 10 minutes, 90% within 4 hours, 5% never.
// Run it with: go test -run TestQuotaSimulation -v ./watch/

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

// virtualNotice is DingTalk for the simulation: it answers from the read
// times on the virtual clock and counts calls.
type virtualNotice struct {
	clk    *clock
	sentAt time.Time
	readAt map[string]map[string]time.Time // key → userId → read time (absent: never)
	users  map[string][]string
	mu     sync.Mutex
	calls  int
}

func newVirtualNotice(clk *clock, people, perKey int, seed uint64) *virtualNotice {
	v := &virtualNotice{clk: clk, sentAt: clk.Now(), readAt: map[string]map[string]time.Time{}, users: map[string][]string{}}
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for i := range people {
		key := fmt.Sprintf("simkey%02d", i/perKey)
		user := fmt.Sprintf("user%03d", i)
		if v.readAt[key] == nil {
			v.readAt[key] = map[string]time.Time{}
		}
		v.users[key] = append(v.users[key], user)
		if d, ok := drawReadDelay(rng.Float64()); ok {
			v.readAt[key][user] = v.sentAt.Add(d)
		}
	}
	return v
}

func (v *virtualNotice) keys() []string {
	var ks []string
	for k := range v.users {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (v *virtualNotice) ReadStatus(_ context.Context, _, key string) (dingtalk.ReadStatus, error) {
	v.mu.Lock()
	v.calls++
	v.mu.Unlock()
	now := v.clk.Now()
	rs := dingtalk.ReadStatus{SendStatus: dingtalk.SendSuccess}
	for _, u := range v.users[key] {
		at, ok := v.readAt[key][u]
		rs.Recipients = append(rs.Recipients, dingtalk.Recipient{UserID: u, Name: u, Read: ok && !now.Before(at)})
	}
	return rs, nil
}

// outcome is what one strategy spent and how late it showed reads.
type outcome struct {
	name          string
	calls         int
	median, p90   time.Duration
	missed, reads int
}

// delays measures, from the first time each read was shown, how late it was.
func (v *virtualNotice) outcome(name string, shown map[string]time.Time) outcome {
	o := outcome{name: name, calls: v.calls}
	var ds []time.Duration
	for key, users := range v.readAt {
		for u, at := range users {
			if at.After(v.sentAt.Add(Window)) {
				continue // reads after the window cannot be seen by anyone
			}
			o.reads++
			s, ok := shown[key+"/"+u]
			if !ok {
				o.missed++
				continue
			}
			ds = append(ds, s.Sub(at))
		}
	}
	slices.Sort(ds)
	if len(ds) > 0 {
		o.median, o.p90 = ds[len(ds)/2], ds[len(ds)*9/10]
	}
	return o
}

// runDingwatch watches the notice with the engine and policy p.
func runDingwatch(name string, p Policy, seed uint64) outcome {
	clk := newClock(t0)
	v := newVirtualNotice(clk, 200, 20, seed)
	e := NewEngine(Options{Client: v, RobotCode: "r", Now: clk.Now, Policy: p, Workers: 1})
	e.Add(AddSpec{Keys: v.keys(), SentAt: v.sentAt})
	end := v.sentAt.Add(Window)
	for clk.Now().Before(end) {
		next := e.PollOnce(context.Background())
		if next.IsZero() {
			break // every key final
		}
		clk.Set(maxTime(next, clk.Now().Add(time.Second)))
	}
	shown := map[string]time.Time{}
	for _, k := range e.Snapshot().State.Keys {
		for _, r := range k.Recipients {
			if r.Read {
				shown[k.Key+"/"+r.UserID] = r.FirstSeenRead
			}
		}
	}
	return v.outcome(name, shown)
}

// runFixed polls every key every interval, as a naive watcher would.
func runFixed(interval time.Duration, seed uint64) outcome {
	clk := newClock(t0)
	v := newVirtualNotice(clk, 200, 20, seed)
	shown := map[string]time.Time{}
	for ; clk.Now().Before(v.sentAt.Add(Window)); clk.Add(interval) {
		for _, key := range v.keys() {
			rs, _ := v.ReadStatus(context.Background(), "r", key)
			for _, r := range rs.Recipients {
				if _, ok := shown[key+"/"+r.UserID]; r.Read && !ok {
					shown[key+"/"+r.UserID] = clk.Now()
				}
			}
		}
	}
	return v.outcome(fmt.Sprintf("fixed %v polling", interval), shown)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func TestQuotaSimulation(t *testing.T) {
	const seed = 2026
	def := Policy{}.WithDefaults()
	results := []outcome{
		runFixed(5*time.Second, seed),
		runFixed(60*time.Second, seed),
		runDingwatch(fmt.Sprintf("dingwatch, no budget (interval %v)", def.Interval), Policy{}, seed),
		runDingwatch(fmt.Sprintf("dingwatch, default budget %d/day", DefaultBudget), Policy{Budget: DefaultBudget}, seed),
	}
	for _, b := range []int{200, 500, 2000} {
		results = append(results, runDingwatch(fmt.Sprintf("dingwatch, budget %d/day", b), Policy{Budget: b}, seed))
	}
	var table strings.Builder
	fmt.Fprintf(&table, "| strategy | readStatus calls | median delay | p90 delay | reads not shown |\n|---|---:|---:|---:|---:|\n")
	for _, o := range results {
		fmt.Fprintf(&table, "| %s | %d | %v | %v | %d of %d |\n", o.name, o.calls, o.median.Round(time.Second), o.p90.Round(time.Second), o.missed, o.reads)
	}
	t.Log("\n" + table.String())

	fixed5, fixed60, free := results[0], results[1], results[2]
	if free.calls*5 > fixed60.calls {
		t.Errorf("dingwatch without a budget spent %d calls: not 5x fewer than 60 s polling (%d)", free.calls, fixed60.calls)
	}
	if free.median > 2*time.Minute || free.missed > 0 {
		t.Errorf("dingwatch without a budget: median delay %v, %d reads never shown", free.median, free.missed)
	}
	if fixed5.calls != 10*17280 {
		t.Errorf("the 5 s anchor made %d calls", fixed5.calls)
	}
	for _, o := range results[3:] {
		var budget int
		fmt.Sscanf(o.name[strings.LastIndex(o.name, " ")+1:], "%d/day", &budget)
		if o.calls > budget {
			t.Errorf("%s spent %d calls", o.name, o.calls)
		}
		if o.missed > 0 {
			t.Errorf("%s never showed %d reads made within the window", o.name, o.missed)
		}
	}
}
