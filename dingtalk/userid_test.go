package dingtalk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/dingtalk/sim"
)

func TestCheckUserID(t *testing.T) {
	cases := []struct {
		id    string
		looks string // "" for a plausible userId
	}{
		{"manager4220", ""},
		{"0154655633201234", ""},
		{"01234567890123456789012", ""},
		{"user001", ""},
		{"zhang.wei-01_x", ""},
		{"cidney", ""},
		{"Kofi", ""},
		{strings.Repeat("a", 64), ""},
		{"", "empty"},
		{strings.Repeat("a", 65), "longer"},
		{"user 1", "spaces"},
		{"user1\n", "spaces"},
		{"\tuser1", "spaces"},
		{"user\x1b[2J", "control"},
		{"user\u200b1", "control"},
		{"\xff\xfe", "UTF-8"},
		{"$:LWCP_v1:$qlGmL0ZDJoiGr0DUuR0Ayw==", "encrypted id"},
		{"cidIGG3NLR4Z7Oq9Eat6Q6DLQ==", "conversation id"},
		{"cid6KeBBLoveMJOGXoYKF5x7EeiodoA==", "conversation id"},
		{"iSE7v0y1ZSbDb1H3ylciPbXgiEiE", "unionId"},
		{"ZmmiPLRBiPJ1tVR5x1a6iiSiPwiEiE", "unionId"},
	}
	for _, tc := range cases {
		err := dingtalk.CheckUserID(tc.id)
		if tc.looks == "" {
			if err != nil {
				t.Errorf("%q: %v, want a plausible userId", tc.id, err)
			}
			continue
		}
		var ue *dingtalk.UserIDError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.looks) {
			t.Errorf("%q: %v, want it to say %q", tc.id, err, tc.looks)
		}
	}
}

func TestRefusedSendNamesIDsThatAreNotUserIDs(t *testing.T) {
	s, c, _ := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
	s.AddPeople(people...)
	s.Inject(sim.Fault{Endpoint: "batchSend", Status: 400, Code: "invalidParameter.param.invalid", Times: 1})
	_, err := c.BatchSend(context.Background(), robot, []string{"u1", "cidIGG3NLR4Z7Oq9Eat6Q6DLQ=="}, dingtalk.Text("hi"))
	if !strings.Contains(err.Error(), "conversation id") || !strings.Contains(err.Error(), "parameter") {
		t.Fatalf("got %v", err)
	}
	// A throttle is not blamed on the ids.
	s.Inject(sim.Fault{Endpoint: "batchSend", Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi", Times: 1})
	_, err = c.BatchSend(context.Background(), robot, []string{"cidIGG3NLR4Z7Oq9Eat6Q6DLQ=="}, dingtalk.Text("hi"))
	if !dingtalk.IsThrottle(err) || strings.Contains(err.Error(), "conversation id") {
		t.Fatalf("got %v", err)
	}
}

func TestRefusedKeyThatIsAnotherID(t *testing.T) {
	_, c, _ := setup(t, func(_ *sim.Options, co *dingtalk.Options) { co.Retries = -1 })
	_, err := c.ReadStatus(context.Background(), robot, "$:LWCP_v1:$qlGmL0ZDJoiGr0DUuR0Ayw==")
	if !dingtalk.HasCode(err, "invalid.processQueryKey") || !strings.Contains(err.Error(), "encrypted id") {
		t.Fatalf("got %v", err)
	}
}
