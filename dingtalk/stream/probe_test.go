package stream

import "testing"

func TestProbeLeavesEventsUnacknowledged(t *testing.T) {
	c, err := New(Config{Endpoint: "https://api.dingtalk.io", ClientID: "a", ClientSecret: "b"})
	if err != nil {
		t.Fatal(err)
	}
	s := &session{c: c} // no connection: any write would fail the test
	if err := s.handle([]byte(frameReadString), nil); err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Acks != 0 || st.Events != 0 {
		t.Errorf("a probe took the event: %+v", st)
	}
}
