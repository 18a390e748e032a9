package ui

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// The fault suite: the client, the engine and the dashboard against the
// simulator, injecting each documented error and each network fault. The
// program keeps running, shows the error on the affected key only (or a
// banner, for what concerns every key; a throttle is about the app's rate,
// not the key asked: a banner, never a key's error), backs off, recovers
// when the fault clears, loses nothing from the store, and never shows the
// secret or the token.

const faultSecret = "s3cr3t-app-secret-value"

type scope int

const (
	keyed     scope = iota // one key fails, the others go on
	global                 // every key fails (the network, a ban)
	fatal                  // polling stops with a banner until the user refreshes
	expires                // the key is over: expired, final
	throttled              // DingTalk slows the app down: a banner and a pause, no key failed
)

type faultCase struct {
	name  string
	fault sim.Fault
	scope scope
	pause bool // refuse connections instead (the simulator stops listening)
}

func faultCases() []faultCase {
	var cases []faultCase
	for _, c := range []struct {
		status int
		code   string
	}{
		{400, "invalidParameter.robotCode.notExsit"}, {400, "invalidParameter.robotCode.invalid"},
		{400, "invalidParameter.param.invalid"}, {400, "invalid.processQueryKey"},
		{400, "unknown.send.result"}, {400, "template.not.existed"}, {400, "template.stopped"},
		{500, "system.error"}, {500, "unknownError"},
		{400, "InvalidAuthentication"}, {401, "Unauthorized"},
		{400, "invalidParameter.robotCode.empty"}, {400, "invalidParameter.robotCode.missing"},
		{400, "invalidParameter.processQueryKey.missing"},
	} {
		cases = append(cases, faultCase{name: c.code, fault: sim.Fault{Endpoint: "readStatus", Status: c.status, Code: c.code}, scope: keyed})
	}
	for _, c := range []struct {
		status int
		code   string
	}{
		{429, "system.busy"}, {429, "systemBusy"},
		{403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"}, {403, "Forbidden.AccessDenied.QpsLimitForApi"},
		{403, "Forbidden.AccessDenied.QpmLimitForApi"},
	} {
		cases = append(cases, faultCase{name: c.code, fault: sim.Fault{Endpoint: "readStatus", Status: c.status, Code: c.code}, scope: throttled})
	}
	for _, code := range []string{"Forbidden.AccessDenied.ApiCountLimitForOrg", "Forbidden.AccessDenied.IpNotInWhiteList", "Forbidden.AccessDenied.AccessTokenPermissionDenied"} {
		cases = append(cases, faultCase{name: code, fault: sim.Fault{Endpoint: "readStatus", Status: 403, Code: code}, scope: fatal})
	}
	cases = append(cases,
		faultCase{name: "invalidClientIdOrSecret", fault: sim.Fault{Endpoint: "token", Status: 400, Code: "invalidClientIdOrSecret"}, scope: fatal},
		faultCase{name: "expireTime after good answers", fault: sim.Fault{Endpoint: "readStatus", Status: 400, Code: "processQueryKey.expireTime"}, scope: expires},
		faultCase{name: "reset mid-answer", fault: sim.Fault{Endpoint: "readStatus", Kind: sim.Reset}, scope: keyed},
		faultCase{name: "timeout", fault: sim.Fault{Endpoint: "readStatus", Kind: sim.Hang, Delay: 2 * time.Second}, scope: keyed},
		faultCase{name: "truncated JSON", fault: sim.Fault{Endpoint: "readStatus", Kind: sim.Truncate}, scope: keyed},
		faultCase{name: "HTML page", fault: sim.Fault{Endpoint: "readStatus", Status: 502, Body: "<html><body>Bad gateway</body></html>"}, scope: keyed},
		faultCase{name: "odd throttle JSON", fault: sim.Fault{Endpoint: "readStatus", Status: 403, Body: `{"status":1111,"wait":5,"punish":"deny"}`}, scope: keyed},
		faultCase{name: "5-minute ban", fault: sim.Fault{Status: 403, Body: sim.BanPage}, scope: global},
		faultCase{name: "token refused", fault: sim.Fault{Endpoint: "token", Status: 500, Code: "system.error"}, scope: global},
		faultCase{name: "connection refused", pause: true, scope: global},
	)
	return cases
}

// faultRig is one run: a simulator, an engine with a store and a log, and
// a dashboard model on them.
type faultRig struct {
	sim   *sim.Server
	clk   *sim.Clock
	e     *watch.Engine
	store *watch.Store
	dir   string
	log   *bytes.Buffer
	keys  []string
}

type lockedBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func newFaultRig(t *testing.T) *faultRig { t.Helper(); return newFaultRigWorkers(t, 0) }

// newFaultRigWorkers is a rig whose engine asks at most workers keys at
// once (0: the default).
func newFaultRigWorkers(t *testing.T, workers int) *faultRig {
	t.Helper()
	r := &faultRig{clk: sim.NewClock(now), dir: t.TempDir(), log: &bytes.Buffer{}}
	s, err := sim.Start(sim.Options{Now: r.clk.Now, AppKey: "app", AppSecret: faultSecret, NotReadyFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r.sim = s
	for i, label := range []string{"Alpha", "Bravo", "Charlie"} {
		r.keys = append(r.keys, s.AddMessage("dingdemo", now.Add(-10*time.Minute), []sim.Person{
			{UserID: "a" + label, Name: "张" + label, ReadAfter: time.Duration(i) * time.Minute}, {UserID: "b" + label, Name: label, ReadAfter: sim.Never}}))
	}
	c, _ := dingtalk.New(dingtalk.Options{Endpoint: s.URL(), Credentials: dingtalk.Credentials{AppKey: "app", AppSecret: faultSecret},
		Rate: 1000, Retries: -1, Timeout: 300 * time.Millisecond, Now: r.clk.Now})
	store, st, _, err := watch.OpenStore(r.dir, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r.store = store
	lb := &lockedBuffer{}
	r.log = &lb.Buffer
	r.e = watch.NewEngine(watch.Options{Client: c, Store: store, State: st, RobotCode: "dingdemo", Now: r.clk.Now, Workers: workers,
		Policy: watch.Policy{Interval: 10 * time.Second}, Log: slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	for i, k := range r.keys {
		r.e.Add(watch.AddSpec{Keys: []string{k}, Label: []string{"Alpha", "Bravo", "Charlie"}[i], SentAt: now.Add(-10 * time.Minute)})
	}
	return r
}

// poll moves the clock by d and runs one pass of the engine.
func (r *faultRig) poll(d time.Duration) {
	r.clk.Add(d)
	r.e.PollOnce(context.Background())
}

// view is the dashboard at 100x30 on the engine's current state.
func (r *faultRig) view() string {
	m := New(Options{Engine: r.e, Renderer: asciiRenderer(), Now: r.clk.Now, Region: "simulated"})
	m = drive(m, tea.WindowSizeMsg{Width: 100, Height: 30}, snapshotMsg{r.e.Snapshot()})
	return m.View()
}

// rowOf is the list line of the key labelled label.
func rowOf(view, label string) string {
	for _, line := range strings.Split(view, "\n") {
		if i := strings.Index(line, "│"); i >= 0 && strings.Contains(line[:min(len(line), 60)], label) {
			return line[:min(len(line), 60)]
		}
	}
	return ""
}

func TestFaultSuite(t *testing.T) {
	for _, fc := range faultCases() {
		t.Run(fc.name, func(t *testing.T) {
			r := newFaultRig(t)
			r.poll(0)
			r.poll(time.Minute) // a second good answer: Bravo has read
			before := r.e.Snapshot().State
			for _, k := range before.Keys {
				if k.Err != nil || k.LastOK.IsZero() {
					t.Fatalf("not healthy before the fault: %+v", k)
				}
			}
			victim := r.keys[1]
			f := fc.fault
			if fc.scope != global && f.Endpoint != "token" {
				f.Key = victim
			}
			if fc.pause {
				r.sim.Pause()
			} else {
				if f.Endpoint == "token" {
					r.sim.RevokeTokens() // the next query needs a new token
				}
				r.sim.Inject(f)
			}
			r.clk.Add(10 * time.Second) // a refresh within the interval is coalesced
			r.e.Refresh("")
			r.poll(time.Second)
			snap := r.e.Snapshot()
			view := r.view()
			failed := func(k *watch.Key) bool { return k.Err != nil }
			switch fc.scope {
			case keyed:
				for i, k := range snap.State.Keys {
					if failed(k) != (i == 1) {
						t.Fatalf("key %d failed=%v; only Bravo should: %+v", i, failed(k), k.Err)
					}
				}
				if !strings.Contains(rowOf(view, "Bravo"), "!") || strings.Contains(rowOf(view, "Alpha"), "!") || strings.Contains(rowOf(view, "Charlie"), "!") {
					t.Fatalf("the error must show on Bravo's row only:\n%s", view)
				}
			case global:
				// Every key asked fails. A ban holds every key: a key its
				// answer came before (with several workers, any of them)
				// is not asked, and the banner says the pause instead.
				held := snap.HeldUntil.After(r.clk.Now())
				for _, k := range snap.State.Keys {
					asked := k.LastTry.Equal(r.clk.Now())
					if asked && !failed(k) || !asked && !held {
						t.Fatalf("a key escaped a global fault (held until %v): %+v", snap.HeldUntil, k)
					}
				}
				if held != strings.Contains(view, "DingTalk asked this host to pause") {
					t.Fatalf("held until %v; the banner must say so exactly then:\n%s", snap.HeldUntil, view)
				}
			case fatal:
				if snap.Halted == "" || !strings.Contains(view, "polling stopped") {
					t.Fatalf("no halt banner:\n%s", view)
				}
			case expires:
				if k := snap.State.Key(victim); !k.Expired || !k.Final() {
					t.Fatalf("want expired: %+v", k)
				}
			case throttled:
				for _, k := range snap.State.Keys {
					if failed(k) {
						t.Fatalf("a throttle marked a key failed: %+v", k.Err)
					}
				}
				if !slices.ContainsFunc(snap.Warnings, func(w watch.Warning) bool { return w.Kind == watch.WarnThrottled }) ||
					!strings.Contains(view, "DingTalk is throttling") || strings.Contains(rowOf(view, "Bravo"), "!") {
					t.Fatalf("want one banner, no error on the row:\n%s", view)
				}
				// Nothing is asked during the pause, whichever key.
				if snap.HeldUntil.Before(r.clk.Now().Add(4 * time.Second)) {
					t.Fatalf("no pause: held until %v, now %v", snap.HeldUntil, r.clk.Now())
				}
				calls := r.sim.Calls("readStatus")
				r.e.Refresh("")
				r.poll(time.Second)
				if r.sim.Calls("readStatus") != calls {
					t.Fatal("a key was asked during the throttle's pause")
				}
			}
			for _, k := range snap.State.Keys {
				if len(k.Recipients) != 2 {
					t.Fatalf("a failure lost recipients: %+v", k)
				}
			}
			// Backs off: a failing key is not asked again at the next interval.
			if fc.scope == keyed || fc.scope == global {
				calls := r.sim.CallsFor(victim)
				r.poll(10 * time.Second)
				if r.sim.CallsFor(victim) != calls {
					t.Fatalf("no backoff: asked again after 10s")
				}
			}
			// The fault clears; the key recovers.
			r.sim.ClearFaults()
			r.sim.Resume()
			if fc.scope == fatal {
				r.e.Refresh("")
			}
			r.poll(5 * time.Minute)
			r.poll(watch.DefaultMaxInterval)
			after := r.e.Snapshot()
			for _, k := range after.State.Keys {
				if fc.scope == expires && k.Key == victim {
					continue
				}
				if k.Err != nil {
					t.Fatalf("did not recover: %+v", k.Err)
				}
			}
			if after.Halted != "" {
				t.Fatalf("still halted: %s", after.Halted)
			}
			if slices.ContainsFunc(after.Warnings, func(w watch.Warning) bool { return w.Kind == watch.WarnThrottled }) {
				t.Fatal("the throttle banner stayed after DingTalk answered again")
			}
			// The store has everything.
			saved, err := watch.LoadState(r.dir)
			if err != nil || len(saved.Keys) != 3 {
				t.Fatalf("store: %v, %d keys", err, len(saved.Keys))
			}
			for _, k := range saved.Keys {
				if len(k.Recipients) != 2 {
					t.Fatalf("store lost recipients of %s", k.Label)
				}
			}
			// Neither the secret nor a token shows anywhere.
			texts := []string{r.log.String(), view, r.view()}
			for _, k := range snap.State.Keys {
				if k.Err != nil {
					texts = append(texts, k.Err.Hint, k.Err.Message)
				}
			}
			secrets := append([]string{faultSecret}, r.sim.Tokens()...)
			for _, text := range texts {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Fatalf("%q leaked in %q", s, text)
					}
				}
			}
		})
	}
}

// A ban's answer holds every key: with one worker, the keys after the
// first are not asked, keep their last answers, and the banner says until
// when nothing is asked; when the pause is over they are asked again and
// the banner goes.
func TestBanHoldsTheKeysNotAskedYet(t *testing.T) {
	r := newFaultRigWorkers(t, 1)
	r.poll(0)
	r.poll(time.Minute)
	r.sim.Inject(sim.Fault{Status: 403, Body: sim.BanPage})
	r.clk.Add(10 * time.Second)
	r.e.Refresh("")
	calls := r.sim.Calls("readStatus")
	r.poll(time.Second)
	if got := r.sim.Calls("readStatus") - calls; got != 1 {
		t.Fatalf("%d calls after a ban's answer; want only the one that got it", got)
	}
	snap := r.e.Snapshot()
	if snap.HeldUntil.Before(r.clk.Now().Add(4 * time.Minute)) {
		t.Fatalf("held until %v, now %v: want the ban's 5 minutes", snap.HeldUntil, r.clk.Now())
	}
	view := r.view()
	if !strings.Contains(view, "DingTalk asked this host to pause: nothing is asked until 10:06:11") {
		t.Fatalf("no pause banner:\n%s", view)
	}
	for i, k := range snap.State.Keys {
		if (k.Err != nil) != (i == 0) {
			t.Fatalf("key %d failed=%v; only the one asked should: %+v", i, k.Err != nil, k.Err)
		}
	}
	r.sim.ClearFaults()
	r.poll(5 * time.Minute)
	if snap := r.e.Snapshot(); !snap.HeldUntil.IsZero() {
		t.Fatalf("still held after the pause: %v", snap.HeldUntil)
	}
	for _, k := range r.e.Snapshot().State.Keys {
		if k.Err != nil || !k.LastOK.Equal(r.clk.Now()) {
			t.Fatalf("not asked again after the pause: %+v", k)
		}
	}
	if view := r.view(); strings.Contains(view, "pause") {
		t.Fatalf("the banner stayed after the pause:\n%s", view)
	}
}

// A ban that comes while the throttle's banner is up outlasts any
// throttle step: its end is said too.
func TestBanDuringAThrottleIsSaid(t *testing.T) {
	r := newFaultRigWorkers(t, 1)
	r.poll(0)
	r.sim.Inject(sim.Fault{Endpoint: "readStatus", Status: 429, Code: "system.busy", Times: 1})
	r.poll(time.Minute)
	view := r.view()
	if !strings.Contains(view, "DingTalk is throttling") || strings.Contains(view, "asked this host to pause") {
		t.Fatalf("a throttle alone: its own banner only:\n%s", view)
	}
	r.sim.Inject(sim.Fault{Status: 403, Body: sim.BanPage})
	r.e.Refresh("")
	r.poll(time.Minute) // the throttle's pause is over: the next call meets the ban
	snap := r.e.Snapshot()
	if snap.HeldUntil.Before(r.clk.Now().Add(4 * time.Minute)) {
		t.Fatalf("no ban's hold: held until %v, now %v", snap.HeldUntil, r.clk.Now())
	}
	view = r.view()
	if !strings.Contains(view, "DingTalk is throttling") || !strings.Contains(view, "nothing is asked until 10:07:00") {
		t.Fatalf("the ban's end must be said beside the throttle:\n%s", view)
	}
}

// A refresh during DingTalk's pause says when anything is asked, not that
// the keys need no call (tester R4).
func TestRefreshDuringAPauseSaysItsEnd(t *testing.T) {
	r := newFaultRigWorkers(t, 1)
	r.poll(0)
	r.sim.Inject(sim.Fault{Status: 403, Body: sim.BanPage})
	r.poll(time.Minute)
	m := New(Options{Engine: r.e, Renderer: asciiRenderer(), Now: r.clk.Now, Region: "simulated"})
	m = drive(m, tea.WindowSizeMsg{Width: 100, Height: 30}, snapshotMsg{r.e.Snapshot()})
	msg := refresh(r.e, "", r.clk.Now())()
	if d, ok := msg.(doneMsg); !ok || d.text != "DingTalk asked this host to pause: nothing is asked before 10:06:00" {
		t.Fatalf("refresh during the pause said %+v", msg)
	}
	r.sim.ClearFaults()
	r.clk.Add(5 * time.Minute)
	if d := refresh(r.e, "", r.clk.Now())().(doneMsg); strings.Contains(d.text, "pause") {
		t.Fatalf("refresh after the pause still says it: %q", d.text)
	}
}
