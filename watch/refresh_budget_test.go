package watch

import (
	"strings"
	"testing"
	"time"
)

// Calls another process counted (a status) can spend the budget between
// passes: the snapshot says it at once, and a refresh says nothing is
// asked because of it, not that the keys need no call (recheck of
// breaker7 1).
func TestBudgetSpentElsewhereIsSaidAtOnce(t *testing.T) {
	now := t0.Add(time.Hour)
	e := NewEngine(Options{RobotCode: "dingdemo", Now: func() time.Time { return now }, Policy: Policy{Budget: 2}})
	keys := []string{strings.Repeat("a", 20), strings.Repeat("b", 20)}
	if _, err := e.Add(AddSpec{Keys: keys, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	if s := e.Snapshot(); s.Blocked {
		t.Fatal("blocked before any call")
	}
	if res := e.Refresh(""); res.Stuck != "" {
		t.Fatalf("a refresh with the budget whole is stuck: %+v", res)
	}
	if _, err := e.apply(Op{Kind: OpCalls, Calls: []time.Time{now, now}}); err != nil {
		t.Fatal(err)
	}
	if s := e.Snapshot(); !s.Blocked || s.Spent != 2 {
		t.Fatalf("the budget spent by another process: blocked %v, spent %d", s.Blocked, s.Spent)
	}
	if res := e.Refresh(""); !strings.Contains(res.Stuck, "budget is spent") {
		t.Fatalf("a refresh with the budget spent: %+v", res)
	}
}
