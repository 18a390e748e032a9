package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/watch"
)

// calls is every request the simulator saw.
func calls(s *sim.Server) int {
	return s.Calls("token") + s.Calls("readStatus") + s.Calls("batchSend") + s.Calls("batchRecall")
}

// stateFiles lists what the state directory of env holds.
func stateFiles(t *testing.T, env []string) []string {
	t.Helper()
	entries, err := os.ReadDir(stateDir(env))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestMistypedCommandSavesNothingAndAsksNothing(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	cases := map[string]struct {
		args []string
		want string
	}{
		"typo":       {[]string{"statuss"}, `unknown command "statuss"; did you mean "status"?`},
		"typo send":  {[]string{"snd"}, `did you mean "send"?`},
		"a word":     {[]string{"dashboard"}, `unknown command "dashboard" (commands: `},
		"too short":  {[]string{"abc123"}, `"abc123" cannot be a processQueryKey`},
		"among keys": {[]string{s.AddMessage("dingdemo", time.Now(), crew), "stauts"}, `did you mean "status"?`},
		"not base64": {[]string{"Kna29Ra5pdJznx1ghavbumkQ!wDzgfxZLapw55G7x0Q="}, "which no processQueryKey holds"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := runBinary(t, env, "", tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}
	if files := stateFiles(t, env); len(files) != 0 {
		t.Fatalf("a refused argument saved something: %v", files)
	}
	if n := calls(s); n != 0 {
		t.Fatalf("a refused argument made %d calls", n)
	}
}

// sendNotice sends a text notice to ids with label and returns its keys.
func sendNotice(t *testing.T, env []string, label string, ids []string, extra ...string) []string {
	t.Helper()
	args := append([]string{"send", "--to", strings.Join(ids, ","), "--text", "周会改到三点", "--label", label, "--json"}, extra...)
	out, errOut, code := runBinary(t, env, "", args...)
	if code != 0 {
		t.Fatalf("send: exit %d: %s", code, errOut)
	}
	var rep struct{ Keys []string }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return rep.Keys
}

func TestStatusWithoutKeysReportsEverythingWatched(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 25)
	env := simEnv(t, s)
	keys := sendNotice(t, env, "Weekly sync", ids)
	time.Sleep(5 * time.Millisecond) // the simulator's "not generated yet" moment
	out, errOut, code := runBinary(t, env, "", "status")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, k := range keys {
		if !strings.Contains(out, k+"  SUCCESS  read ") {
			t.Errorf("key %s missing:\n%s", k, out)
		}
	}
	if !strings.Contains(out, `notice "Weekly sync": read `) || !strings.Contains(out, "/25 over 2 keys") {
		t.Fatalf("no notice summary:\n%s", out)
	}
	out, _, code = runBinary(t, env, "", "status", "--json")
	var got struct {
		Messages []struct{ ProcessQueryKey string }
		Notices  []struct {
			Label     string
			Keys      []string
			ReadCount int
			Total     int
			Unread    []struct{ UserID, Name string }
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("%d %v: %s", code, err, out)
	}
	if len(got.Messages) != 2 || len(got.Notices) != 1 || got.Notices[0].Label != "Weekly sync" || got.Notices[0].Total != 25 ||
		got.Notices[0].ReadCount+len(got.Notices[0].Unread) != 25 || len(got.Notices[0].Keys) != 2 {
		t.Fatalf("%+v", got)
	}
}

func TestStatusStdinSkipsCommentsAndNamesInputLines(t *testing.T) {
	s := startSim(t)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := simEnv(t, s)
	stdin := "# keys of the weekly sync\n\n" + good + "\n   # indented comment\n\n"
	out, errOut, code := runBinary(t, env, stdin, "status", "-")
	if code != 0 || !strings.Contains(out, good+"  SUCCESS  read 2/3") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	_, errOut, code = runBinary(t, env, "# a comment\n"+good+"\n\nnot a key!\n", "status", "-")
	if code != 2 || !strings.Contains(errOut, "line 4:") {
		t.Fatalf("the bad key's line as in the input: exit %d, %q", code, errOut)
	}
}

func TestLabelsAreUnique(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 3)
	env := simEnv(t, s)
	sendNotice(t, env, "Weekly sync", ids[:2])
	_, errOut, code := runBinary(t, env, "", "send", "--to", ids[2], "--text", "again", "--label", "weekly sync")
	if code != 2 || !strings.Contains(errOut, `labelled "weekly sync" already`) || !strings.Contains(errOut, "--join") {
		t.Fatalf("a label in use: exit %d, %q", code, errOut)
	}
	if n := len(s.Sends()); n != 1 {
		t.Fatalf("%d sends; the refused one must send nothing", n)
	}
	// --join sends a new round of the same notice.
	sendNotice(t, env, "Weekly sync", ids[2:], "--join")
	st, err := watch.LoadState(stateDir(env))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Notices) != 1 || len(st.NoticeKeys(st.Notices[0].ID)) != 2 {
		t.Fatalf("--join must add to the notice: %d notices", len(st.Notices))
	}
	// Default labels differ, even within one minute.
	for range 2 {
		if _, errOut, code := runBinary(t, env, "", "send", "--to", ids[0], "--text", "x"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	}
	st, _ = watch.LoadState(stateDir(env))
	if len(st.Notices) != 3 || st.Notices[1].Label == st.Notices[2].Label {
		t.Fatalf("default labels: %q %q", st.Notices[1].Label, st.Notices[2].Label)
	}
}

func TestAmbiguousNoticeListsCandidates(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	now := time.Now()
	k1 := s.AddMessage("dingdemo", now.Add(-time.Minute), crew)
	k2 := s.AddMessage("dingdemo", now.Add(-time.Minute), crew)
	// Two notices with one label, as an older dingwatch could leave them.
	st := &watch.State{
		Keys:    []*watch.Key{{Key: k1, RobotCode: "dingdemo", Notice: "n1", AddedAt: now}, {Key: k2, RobotCode: "dingdemo", Notice: "n2", AddedAt: now}},
		Notices: []*watch.Notice{{ID: "n1", Label: "Sync", CreatedAt: now}, {ID: "n2", Label: "sync", CreatedAt: now}},
	}
	writeState(t, env, st)
	_, errOut, code := runBinary(t, env, "", "status", "--notice", "SYNC")
	if code != 2 || !strings.Contains(errOut, `2 notices are labelled "SYNC"`) || !strings.Contains(errOut, "id n1") || !strings.Contains(errOut, "id n2") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
	out, errOut, code := runBinary(t, env, "", "status", "--notice", "n2")
	if code != 0 || !strings.Contains(out, k2) || strings.Contains(out, k1) {
		t.Fatalf("by id: exit %d %s\n%s", code, errOut, out)
	}
}

// writeState saves st as the state of env.
func writeState(t *testing.T, env []string, st *watch.State) {
	t.Helper()
	b, err := watch.EncodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(stateDir(env), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stateDir(env), "state.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMarkdownTakesTitleAndFileApart(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 2)
	env := simEnv(t, s)
	md := filepath.Join(t.TempDir(), "notes.md")
	os.WriteFile(md, []byte("# v2\n\n- faster"), 0o600)
	_, errOut, code := runBinary(t, env, "", "send", "--to", strings.Join(ids, ","), "--markdown-file", md, "--title", "Release: v2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	sends := s.Sends()
	if len(sends) != 1 || sends[0].MsgKey != "sampleMarkdown" || !strings.Contains(sends[0].MsgParam, `"title":"Release: v2"`) || !strings.Contains(sends[0].MsgParam, "faster") {
		t.Fatalf("%+v", sends)
	}
	for _, args := range [][]string{
		{"--markdown-file", md},
		{"--title", "x", "--text", "y"},
		{"--markdown-file", md + ".missing", "--title", "x"},
	} {
		_, errOut, code := runBinary(t, env, "", append([]string{"send", "--to", ids[0]}, args...)...)
		if code != 2 {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
	}
	if len(s.Sends()) != 1 {
		t.Fatal("a refused send sent")
	}
}

func TestWrongRobotCodeIsASetting(t *testing.T) {
	s := startSim(t)
	ids := addTeam(s, 2)
	good := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	env := append(simEnv(t, s), "DINGTALK_ROBOT_CODE=dingwrong")
	_, errOut, code := runBinary(t, env, "", "status", good)
	if code != 2 || !strings.Contains(errOut, "robot") {
		t.Fatalf("status: exit %d, %q", code, errOut)
	}
	_, errOut, code = runBinary(t, env, "", "send", "--to", strings.Join(ids, ","), "--text", "x")
	if code != 2 {
		t.Fatalf("send: exit %d, %q", code, errOut)
	}
}

func TestPluralsAreRight(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	_, errOut, code := runBinary(t, env, "", "status", "Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=")
	if code != 1 || !strings.Contains(errOut, "1 key failed (of 1 asked)") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

func TestVersionHasCommitAndDate(t *testing.T) {
	out, _, code := runBinary(t, []string{"HOME=" + t.TempDir()}, "", "--version")
	if code != 0 || !strings.HasPrefix(out, "dingwatch version ") || !strings.Contains(out, "(commit ") || !strings.Contains(out, ", built ") {
		t.Fatalf("%d %q", code, out)
	}
	// In a git checkout the commit and its time come from the build info
	// (go build stamps them where .git is a directory: not in a worktree).
	if fi, err := os.Stat("../.git"); err == nil && fi.IsDir() {
		head, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "(commit "+string(head[:12])) || strings.Contains(out, "built unknown") {
			t.Fatalf("no commit or date from the build info: %q (HEAD %s)", out, head)
		}
	}
	// -ldflags wins over the build info.
	bin := filepath.Join(t.TempDir(), "dingwatch")
	ld := "-X github.com/dingwatch/dingwatch/cli.version=v9.8.7 -X github.com/dingwatch/dingwatch/cli.commit=0123456789abcdef0123 -X github.com/dingwatch/dingwatch/cli.date=2026-01-02T03:04:05Z"
	if b, err := exec.Command("go", "build", "-ldflags", ld, "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	b, err := exec.Command(bin, "--version").Output()
	if err != nil || string(b) != "dingwatch version v9.8.7 (commit 0123456789ab, built 2026-01-02T03:04:05Z)\n" {
		t.Fatalf("%v %q", err, b)
	}
}

// writeTemp writes text to a new file and returns its path.
func writeTemp(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStatusDoesNotAskForExpiredKeys(t *testing.T) {
	s := startSim(t)
	env := simEnv(t, s)
	old := time.Now().Add(-30 * time.Hour)
	fresh := s.AddMessage("dingdemo", time.Now().Add(-time.Minute), crew)
	gone := s.AddMessage("dingdemo", old, crew)
	writeState(t, env, &watch.State{Keys: []*watch.Key{
		{Key: fresh, RobotCode: "dingdemo", AddedAt: time.Now()},
		{Key: gone, RobotCode: "dingdemo", AddedAt: old, SentAt: old, SendStatus: "SUCCESS", LastOK: old.Add(time.Hour),
			Recipients: []watch.Recipient{{UserID: "u1", Name: "张伟", Read: true}, {UserID: "u2", Name: "Alice"}}},
	}})
	out, errOut, code := runBinary(t, env, "", "status")
	if code != 0 || !strings.Contains(out, gone+"  EXPIRED (as last seen ") || !strings.Contains(out, "read 1/2") {
		t.Fatalf("exit %d %s\n%s", code, errOut, out)
	}
	if s.CallsFor(gone) != 0 || s.CallsFor(fresh) != 1 {
		t.Fatalf("asked for the expired key %d times, the fresh one %d", s.CallsFor(gone), s.CallsFor(fresh))
	}
}
