package serve

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

func TestStatusSaysHowPushIs(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	e := watch.NewEngine(watch.Options{Now: func() time.Time { return now }})
	for _, c := range []struct {
		st         watch.PushStatus
		text, json string
	}{
		{watch.PushStatus{}, "", ""},
		{watch.PushStatus{State: watch.PushLive, Since: now}, " · push: live", "live"},
		{watch.PushStatus{State: watch.PushReconnecting, Since: now.Add(-42 * time.Second), Err: "refused"},
			" · push: reconnecting (42s)", "reconnecting"},
		{watch.PushStatus{State: watch.PushOff, Since: now}, " · push: off", "off"},
	} {
		e.SetPush(c.st)
		snap := e.Snapshot()
		var text, js bytes.Buffer
		if err := writeStatus(&text, statusRequest{format: "text"}, snap, statusReport(snap, nil, nil, now)); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(text.String(), "\n"); first != "dingwatch · 0/no limit metered calls in 24h"+c.text {
			t.Errorf("%s: text status header %q", c.st.State, first)
		}
		if err := writeStatus(&js, statusRequest{format: "json"}, snap, statusReport(snap, nil, nil, now)); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Push *watch.PushStatus `json:"push"`
		}
		if err := json.Unmarshal(js.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		switch {
		case c.json == "" && out.Push != nil:
			t.Errorf("push not in use, yet the JSON says %+v", out.Push)
		case c.json != "" && (out.Push == nil || string(out.Push.State) != c.json || out.Push.Err != c.st.Err):
			t.Errorf("%s: JSON push %+v", c.st.State, out.Push)
		}
	}
}
