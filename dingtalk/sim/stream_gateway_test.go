package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func openTicket(t *testing.T, s *Server, secret string, accept bool) (int, map[string]string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": "demo", "clientSecret": secret,
		"subscriptions": []map[string]string{{"type": "EVENT", "topic": "*"}}})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v1.0/gateway/connections/open", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept {
		req.Header.Set("Accept", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans map[string]string
	json.NewDecoder(resp.Body).Decode(&ans) //nolint:errcheck // checked by the caller
	return resp.StatusCode, ans
}

func dial(ans map[string]string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, ans["endpoint"]+"?ticket="+url.QueryEscape(ans["ticket"]), nil)
	return c, err
}

func TestGatewayTicketsAreCheckedAndSingleUse(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s, err := Start(Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if code, _ := openTicket(t, s, "wrong", true); code != 401 {
		t.Errorf("wrong secret: HTTP %d", code)
	}
	if code, ans := openTicket(t, s, "demo-secret", false); code != 200 || ans["ticket"] != "" {
		t.Errorf("without Accept: JSON answer %v", ans)
	}
	code, ans := openTicket(t, s, "demo-secret", true)
	if code != 200 || !strings.HasPrefix(ans["endpoint"], "ws://127.0.0.1:") || ans["ticket"] == "" {
		t.Fatalf("open: HTTP %d %v", code, ans)
	}
	c, err := dial(ans)
	if err != nil {
		t.Fatal(err)
	}
	c.CloseNow() //nolint:errcheck
	if _, err := dial(ans); err == nil {
		t.Error("a ticket was used twice")
	}
	_, ans = openTicket(t, s, "demo-secret", true)
	clock.Add(91 * time.Second)
	if _, err := dial(ans); err == nil {
		t.Error("a ticket older than 90 s was accepted")
	}
}

func TestGatewayPushesReadsAndRecallsAndRedeliversUnacked(t *testing.T) {
	clock := NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s, err := Start(Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g := s.Stream()
	g.Configure(StreamSettings{Tick: 5 * time.Millisecond, AckWait: 20 * time.Millisecond, PingEvery: time.Hour})
	early := s.AddMessage("dingdemo", clock.Now(), []Person{{UserID: "u0", ReadAfter: 0}})
	key := s.AddMessage("dingdemo", clock.Now(), []Person{{UserID: "u1", ReadAfter: time.Minute}})
	_, ans := openTicket(t, s, "demo-secret", true)
	c, err := dial(ans)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow() //nolint:errcheck
	clock.Add(2 * time.Minute)
	s.Recall(key)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type frame struct {
		Headers map[string]string
		Data    string
	}
	var got []frame
	for len(got) < 3 { // read, recall, and the read again: never acknowledged
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var f frame
		json.Unmarshal(b, &f) //nolint:errcheck
		got = append(got, f)
	}
	types := map[string]int{}
	for _, f := range got {
		types[f.Headers["eventType"]]++
		if strings.Contains(f.Data, early) {
			t.Errorf("a read from before the first connection was pushed: %s", f.Data)
		}
		if f.Headers["eventType"] == "robot_msg_read" && !strings.Contains(f.Data, `"operatTime":"`) {
			t.Errorf("read event operatTime is not a string: %s", f.Data)
		}
	}
	if types["robot_msg_read"] < 1 || types["robot_msg_recall"] < 1 || len(got) < 3 {
		t.Errorf("frames %v", got)
	}
	ids := map[string]bool{}
	for _, p := range g.Pushes() {
		ids[p.EventID] = true
	}
	if len(g.Pushes()) <= len(ids) {
		t.Errorf("nothing redelivered without an ACK: %+v", g.Pushes())
	}
}
