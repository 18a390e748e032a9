package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// DemoNotice is one notice of the demo scenario.
type DemoNotice struct {
	Label  string
	Text   string
	SentAt time.Time
	Keys   []string // one per batch of at most 20
	Lone   bool     // a key watched on its own, not as a notice
}

var demoNames = []string{
	"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明", "周杰", "吴婷",
	"欧阳娜娜", "徐静蕾", "孙丽", "马超", "朱琳", "胡军", "郭晶晶", "林志玲", "何炅", "高圆圆",
	"Alice Chen", "Bob Martin", "Carol Nguyen", "David Okafor", "Eva Schmidt", "Farid Haddad",
	"Grace Kim", "Hiro Tanaka", "Ines Duarte", "Jonas Berg", "Kofi Mensah", "Lena Novak",
	"Marta Rossi", "Nils Larsen", "Olga Petrova", "Priya Nair", "Quinn Walsh", "Rosa Diaz",
	"Sam O'Brien", "Tomás Vega", "Uma Patel", "Victor Hugo", "Wen Li", "Xavier Dupont", "Yara Saleh",
}

// SeedDemo fills s with the demo scenario as of now: notices whose
// recipients read over the next minutes, one just sent (DingTalk still
// generating it, then PROCESSING), one recalled, one expired, and two
// moments of throttling (a 403 and a 200-status throttle body). DingTalk's
// odd truths show too: read times in milliseconds and in seconds on two
// keys, the SUCESS spelling on one, and two people a batchSend will not
// reach (user044 flow-controlled, user045 filtered).
func SeedDemo(s *Server, now time.Time) []DemoNotice {
	rng := rand.New(rand.NewPCG(7, 11))
	people := func(from, n int) []Person {
		ps := make([]Person, n)
		for i := range ps {
			j := (from + i) % len(demoNames)
			ps[i] = Person{UserID: fmt.Sprintf("user%03d", j+1), Name: demoNames[j]}
		}
		return ps
	}
	// reads spreads reads between lo and hi after sending; every tenth never reads.
	reads := func(ps []Person, lo, hi time.Duration) []Person {
		for i := range ps {
			ps[i].ReadAfter = lo + time.Duration(rng.Int64N(int64(hi-lo)))
			if i%10 == 7 {
				ps[i].ReadAfter = Never
			}
		}
		return ps
	}
	batches := func(robot string, at time.Time, ps []Person) []string {
		var keys []string
		for len(ps) > 0 {
			n := min(20, len(ps))
			keys = append(keys, s.AddMessage(robot, at, ps[:n]))
			ps = ps[n:]
		}
		return keys
	}
	const robot = "dingdemo"
	weekly := now.Add(-90 * time.Second)
	patch := now.Add(-40 * time.Minute)
	drill := now.Add(-3 * time.Second)
	party := now.Add(-2 * time.Hour)
	survey := now.Add(-25 * time.Hour)
	notices := []DemoNotice{
		{Label: "周会通知 Weekly sync", Text: "Weekly sync moved to 15:00, room 5F", SentAt: weekly,
			Keys: batches(robot, weekly, reads(people(0, 45), 20*time.Second, 4*time.Minute))},
		{Label: "Security patch reminder", Text: "Please install the VPN client update today", SentAt: patch,
			Keys: batches(robot, patch, reads(people(20, 12), 30*time.Second, 45*time.Minute))},
		{Label: "Fire drill 消防演习", Text: "Fire drill at 16:30: leave by the east stairs", SentAt: drill,
			Keys: batches(robot, drill, reads(people(5, 8), 40*time.Second, 3*time.Minute))},
		{Label: "年会报名 Party sign-up", Text: "Sign up for the annual party", SentAt: party,
			Keys: batches(robot, party, reads(people(10, 8), time.Minute, time.Hour))},
		{Label: "Yesterday's survey", Text: "Fill in the survey", SentAt: survey, Lone: true,
			Keys: batches(robot, survey, reads(people(30, 6), time.Minute, time.Hour))},
	}
	s.Recall(notices[3].Keys[0])
	s.SetReadTimes(notices[0].Keys[0], Millis)
	s.SetReadTimes(notices[0].Keys[1], Seconds)
	s.SetSendStatus(notices[1].Keys[0], "SUCESS", time.Time{})
	s.SetSendStatus(notices[2].Keys[0], "PROCESSING", now.Add(45*time.Second))
	s.SetUndeliverable(FlowControlled, "user044")
	s.SetUndeliverable(Filtered, "user045")
	// A moment of throttling a little after start, and a throttle that
	// answers HTTP 200 a little later.
	s.Inject(Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.QpsLimitForApi",
		From: now.Add(25 * time.Second), Until: now.Add(35 * time.Second)})
	s.Inject(Fault{Endpoint: "readStatus", Status: 200, Body: ThrottleBody,
		From: now.Add(60 * time.Second), Until: now.Add(66 * time.Second)})
	return notices
}
