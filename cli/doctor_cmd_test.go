package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk/sim"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// doctorLine finds the report line of check name and whether it passed.
func doctorLine(t *testing.T, out, name string) (line string, ok bool) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[1] == name {
			return l, f[0] == "✓"
		}
	}
	t.Fatalf("no %s line in:\n%s", name, out)
	return "", false
}

// fixOf is the fix printed under check name's line.
func fixOf(out, name string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if f := strings.Fields(l); len(f) >= 2 && f[1] == name && i+1 < len(lines) {
			if fix := strings.TrimSpace(lines[i+1]); strings.HasPrefix(fix, "fix: ") {
				return fix
			}
		}
	}
	return ""
}

// setEnv replaces (or adds) name=value in env.
func setEnv(env []string, name, value string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return append(out, name+"="+value)
}

func TestDoctorPasses(t *testing.T) {
	s := startSim(t)
	out, errOut, code := runBinary(t, simEnv(t, s), "", "doctor")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, name := range []string{"config", "endpoint", "token", "robot", "permission", "budget"} {
		if line, ok := doctorLine(t, out, name); !ok {
			t.Errorf("%s did not pass: %s", name, line)
		}
	}
	if line, _ := doctorLine(t, out, "push"); !strings.Contains(line, "ONE of that app's Stream connections") || !strings.Contains(line, "dingwatch serve") {
		t.Errorf("the push hazard is not said: %s", line)
	}
	if line, _ := doctorLine(t, out, "config"); !strings.Contains(line, "app_key from env DINGTALK_APP_KEY, app_secret from env DINGTALK_APP_SECRET, robot_code from env DINGTALK_ROBOT_CODE, endpoint from env DINGTALK_ENDPOINT; no config file at") {
		t.Errorf("the sources are not named: %s", line)
	}
	if line, _ := doctorLine(t, out, "robot"); !strings.Contains(line, "1 metered call") {
		t.Errorf("the probe's cost is not said: %s", line)
	}
	if n := s.Calls("readStatus"); n != 1 {
		t.Errorf("doctor made %d readStatus calls, want 1", n)
	}
	t.Log("\n" + out)
}

// TestDoctorRegion: the credentials refused at one region's host and
// accepted at the other's mean a wrong endpoint, not a wrong secret.
func TestDoctorRegion(t *testing.T) {
	home := startSim(t)
	wrong, err := sim.Start(sim.Options{AppKey: "someone-else", AppSecret: "theirs"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wrong.Close() })
	env := setEnv(simEnv(t, home), "DINGTALK_ENDPOINT", wrong.URL())

	out, _, code := runBinary(t, env, "", "doctor", "--other-endpoint", home.URL())
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, out)
	}
	line, ok := doctorLine(t, out, "region")
	if ok || !strings.Contains(line, "refused at "+wrong.URL()) || !strings.Contains(line, "accepted at "+home.URL()) {
		t.Errorf("region: %s", line)
	}
	if fix := fixOf(out, "region"); !strings.Contains(fix, `endpoint = "`+home.URL()+`"`) {
		t.Errorf("region fix: %q", fix)
	}
	// The later checks ran on the right region.
	for _, name := range []string{"token", "robot", "permission"} {
		if line, ok := doctorLine(t, out, name); !ok {
			t.Errorf("%s: %s", name, line)
		}
	}
	t.Log("\n" + out)
	if home.Calls("readStatus") != 1 || wrong.Calls("readStatus") != 0 {
		t.Errorf("readStatus calls: home %d, wrong %d", home.Calls("readStatus"), wrong.Calls("readStatus"))
	}

	// Refused at both: the secret is wrong, whatever the region.
	env = setEnv(simEnv(t, home), "DINGTALK_APP_SECRET", "not-the-secret")
	out, _, code = runBinary(t, env, "", "doctor", "--other-endpoint", wrong.URL())
	line, ok = doctorLine(t, out, "token")
	if code != 2 || ok || !strings.Contains(line, "not a region mismatch") || !strings.Contains(fixOf(out, "token"), "DINGTALK_APP_SECRET") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if line, _ := doctorLine(t, out, "robot"); !strings.Contains(line, "not checked") {
		t.Errorf("robot: %s", line)
	}
}

func TestOtherRegion(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.dingtalk.io":             hostChina,
		"https://API.dingtalk.com/":           hostInternational,
		"http://127.0.0.1:9":                  "",
		"https://api.dingtalk.io.example.com": "",
	} {
		if got := otherRegion(in); got != want {
			t.Errorf("otherRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDoctorFailures(t *testing.T) {
	s := startSim(t)
	closed := startSim(t)
	closedURL := closed.URL()
	closed.Close()
	notDingTalk := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notDingTalk.Close)
	// A plain web server (python3 -m http.server): a page to GET, 501 with
	// a page to POST; and a portal that answers every request with a page.
	webServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNotImplemented)
			io.WriteString(w, "<!DOCTYPE HTML><html><body><h1>Error response</h1><p>Error code: 501</p></body></html>")
			return
		}
		io.WriteString(w, "<!DOCTYPE HTML><html><body>Directory listing</body></html>")
	}))
	t.Cleanup(webServer.Close)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><head><title>Welcome</title></head><body>Sign in</body></html>")
	}))
	t.Cleanup(portal.Close)

	cases := map[string]struct {
		env    func([]string) []string
		fault  *sim.Fault
		check  string
		code   int
		text   string // in the check's line
		fix    string // in its fix
		others []string
	}{
		"unknown robot": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_ROBOT_CODE", "dingnosuch") },
			check: "robot", code: 2, text: `does not know robot "dingnosuch"`, fix: "robot_code",
			others: []string{"config", "endpoint", "token"},
		},
		"no permission": {
			fault: &sim.Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.AccessTokenPermissionDenied"},
			check: "permission", code: 2, text: "AccessTokenPermissionDenied", fix: "qyapi_robot_sendmsg",
			others: []string{"token"},
		},
		"ip not allowed": {
			fault: &sim.Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.IpNotInWhiteList"},
			check: "permission", code: 2, text: "allow-list", fix: "allow-list",
		},
		"monthly quota spent": {
			fault: &sim.Fault{Endpoint: "readStatus", Status: 403, Code: "Forbidden.AccessDenied.ApiCountLimitForOrg"},
			check: "quota", code: 1, text: "quota", fix: "renew",
		},
		"dingtalk busy": {
			fault: &sim.Fault{Endpoint: "readStatus", Status: 500, Code: "system.error"},
			check: "robot", code: 1, text: "could not check", fix: "again",
		},
		"wrong secret, custom endpoint": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_APP_SECRET", "nope") },
			check: "token", code: 2, text: "refused the credentials of app app", fix: "DINGTALK_APP_SECRET",
			others: []string{"endpoint"},
		},
		"unreachable endpoint": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_ENDPOINT", closedURL) },
			check: "endpoint", code: 1, text: "could not be reached", fix: "HTTPS_PROXY",
		},
		"not dingtalk": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_ENDPOINT", notDingTalk.URL) },
			check: "endpoint", code: 2, text: "not DingTalk's API", fix: "api.dingtalk.io",
		},
		"a web server, 501 to a POST": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_ENDPOINT", webServer.URL) },
			check: "endpoint", code: 2, text: "(HTTP 501, a web page): it is not DingTalk's API", fix: "api.dingtalk.io",
		},
		"a portal page": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_ENDPOINT", portal.URL) },
			check: "endpoint", code: 2, text: "(HTTP 200, a web page): it is not DingTalk's API", fix: "api.dingtalk.io",
		},
		"token answer not json": {
			fault: &sim.Fault{Endpoint: "token", Status: 502, Body: sim.BanPage},
			check: "token", code: 1, text: "no access token", fix: "again",
		},
		"missing robot code": {
			env:   func(e []string) []string { return setEnv(e, "DINGTALK_ROBOT_CODE", "") },
			check: "config", code: 2, text: "DINGTALK_ROBOT_CODE", fix: "config.toml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s.ClearFaults()
			if tc.fault != nil {
				s.Inject(*tc.fault)
			}
			env := simEnv(t, s)
			if tc.env != nil {
				env = tc.env(env)
			}
			out, errOut, code := runBinary(t, env, "", "doctor")
			line, ok := doctorLine(t, out, tc.check)
			if code != tc.code || ok || !strings.Contains(line, tc.text) || !strings.Contains(fixOf(out, tc.check), tc.fix) {
				t.Fatalf("exit %d (want %d), %s line should fail with %q and a fix with %q:\n%s\n%s", code, tc.code, tc.check, tc.text, tc.fix, out, errOut)
			}
			for _, o := range tc.others {
				if line, ok := doctorLine(t, out, o); !ok {
					t.Errorf("%s should pass: %s", o, line)
				}
			}
			if !strings.Contains(errOut, "problem") {
				t.Errorf("stderr: %q", errOut)
			}
		})
	}
	s.ClearFaults()
}

// writeConfig writes a config file with mode and returns its path.
func writeConfig(t *testing.T, dir, text string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, "dingwatch", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDoctorConfigFiles(t *testing.T) {
	s := startSim(t)
	base := []string{"PATH=" + os.Getenv("PATH"), "DINGTALK_ROBOT_CODE=dingdemo", "DINGTALK_ENDPOINT=" + s.URL()}
	withSecret := "app_key = \"app\"\napp_secret = \"" + secret + "\"\n"

	t.Run("private file passes", func(t *testing.T) {
		dir := t.TempDir()
		path := writeConfig(t, dir, withSecret, 0o600)
		env := append(base, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+t.TempDir(), "HOME="+t.TempDir())
		out, _, code := runBinary(t, env, "", "doctor")
		line, ok := doctorLine(t, out, "config")
		if code != 0 || !ok || !strings.Contains(line, "config file "+path+" (mode 0600)") ||
			!strings.Contains(line, "app_key from file "+path+", app_secret from file "+path+", robot_code from env DINGTALK_ROBOT_CODE") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("secret readable by others", func(t *testing.T) {
		dir := t.TempDir()
		path := writeConfig(t, dir, withSecret, 0o644)
		env := append(base, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+t.TempDir(), "HOME="+t.TempDir())
		before := s.Calls("token")
		out, _, code := runBinary(t, env, "", "doctor")
		line, ok := doctorLine(t, out, "config")
		if code != 2 || ok || !strings.Contains(line, "others can read it (mode 0644)") || fixOf(out, "config") != "fix: chmod 600 "+path {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if s.Calls("token") != before {
			t.Fatal("credentials from an unsafe file were used")
		}
	})
	t.Run("writable by anyone", func(t *testing.T) {
		dir := t.TempDir()
		writeConfig(t, dir, "robot_code = \"dingdemo\"\n", 0o666)
		env := append(base, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+t.TempDir(), "HOME="+t.TempDir(),
			"DINGTALK_APP_KEY=app", "DINGTALK_APP_SECRET="+secret)
		out, _, code := runBinary(t, env, "", "doctor")
		if line, ok := doctorLine(t, out, "config"); code != 2 || ok || !strings.Contains(line, "can be changed by anyone") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("secret file readable by others", func(t *testing.T) {
		dir := t.TempDir()
		secretFile := filepath.Join(dir, "secret")
		if err := os.WriteFile(secretFile, []byte(secret), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(secretFile, 0o644)
		writeConfig(t, dir, "app_key = \"app\"\napp_secret_file = \""+secretFile+"\"\n", 0o600)
		env := append(base, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+t.TempDir(), "HOME="+t.TempDir())
		out, _, code := runBinary(t, env, "", "doctor")
		if line, ok := doctorLine(t, out, "config"); code != 2 || ok || !strings.Contains(line, "can be read by others") || fixOf(out, "config") != "fix: chmod 600 "+secretFile {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("unknown setting", func(t *testing.T) {
		dir := t.TempDir()
		writeConfig(t, dir, "robotcode = \"x\"\n", 0o600)
		env := append(base, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+t.TempDir(), "HOME="+t.TempDir())
		out, _, code := runBinary(t, env, "", "doctor")
		if line, ok := doctorLine(t, out, "config"); code != 2 || ok || !strings.Contains(line, `line 1: unknown setting "robotcode"`) {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
}

// stateWithCalls writes a saved state whose ledger holds n calls made
// within the last hour, and returns the state directory's parent.
func stateWithCalls(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var st watch.State
	for i := range n {
		st.Calls.Add(time.Now().Add(-time.Hour + time.Duration(i)*time.Second))
	}
	data, err := watch.EncodeState(&st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "dingwatch"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dingwatch", "state.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDoctorBudget(t *testing.T) {
	s := startSim(t)
	env := setEnv(simEnv(t, s), "XDG_STATE_HOME", stateWithCalls(t, 40))
	out, _, code := runBinary(t, env, "", "doctor", "--budget", "100")
	if line, ok := doctorLine(t, out, "budget"); code != 0 || !ok || !strings.Contains(line, "41 of 100 metered calls spent in the last 24 hours (1 by this check); 59 left") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	// The probe's call is in the saved ledger, beside the dashboard's (H9).
	if st, err := watch.LoadState(stateDir(env)); err != nil || st.Calls.Spent(time.Now()) != 41 {
		t.Fatalf("the saved ledger holds %d calls (%v), want 41", st.Calls.Spent(time.Now()), err)
	}
	// A spent budget: the probe is not made, and doctor says why.
	probes := s.Calls("readStatus")
	out, _, code = runBinary(t, env, "", "doctor", "--budget", "41")
	if line, ok := doctorLine(t, out, "budget"); code != 1 || ok || !strings.Contains(line, "the daily budget is spent: 41 of 41") ||
		!strings.Contains(line, "polling resumes at") || !strings.Contains(fixOf(out, "budget"), "--budget") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if line, ok := doctorLine(t, out, "endpoint"); ok || !strings.Contains(line, "costs 1 metered call, and the daily budget is spent (41 of 41") ||
		!strings.Contains(fixOf(out, "endpoint"), "--budget 0 doctor") || s.Calls("readStatus") != probes {
		t.Fatalf("the probe over the budget: %d calls made\n%s", s.Calls("readStatus")-probes, out)
	}

	bad := t.TempDir()
	os.MkdirAll(filepath.Join(bad, "dingwatch"), 0o700)
	os.WriteFile(filepath.Join(bad, "dingwatch", "state.json"), []byte("{not json"), 0o600)
	out, _, code = runBinary(t, setEnv(env, "XDG_STATE_HOME", bad), "", "doctor")
	if line, ok := doctorLine(t, out, "budget"); code != 1 || ok || !strings.Contains(line, "unreadable") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if b, _ := os.ReadFile(filepath.Join(bad, "dingwatch", "state.json")); string(b) != "{not json" {
		t.Fatal("doctor changed the state file")
	}
}

// TestDoctorHostileText: DingTalk's messages and the user's settings reach
// the report cleaned.
func TestDoctorHostileText(t *testing.T) {
	for name, h := range safetexttest.Hostile {
		t.Run(name, func(t *testing.T) {
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "/accessToken") {
					fmt.Fprint(w, `{"accessToken":"tok","expireIn":7200}`)
					return
				}
				w.WriteHeader(400)
				json.NewEncoder(w).Encode(map[string]string{"code": "invalidParameter.robotCode.notExsit" + h, "requestid": h, "message": h})
			}))
			defer fake.Close()
			env := setEnv(startSimEnvFor(t, fake.URL), "DINGTALK_ROBOT_CODE", strings.ReplaceAll(h, "\x00", ""))
			out, errOut, code := runBinary(t, env, "", "doctor")
			if line, ok := doctorLine(t, out, "robot"); code != 2 || ok || !strings.Contains(line, "does not know robot") {
				t.Fatalf("exit %d, the hostile answer did not reach the robot line:\n%s", code, out)
			}
			safetexttest.AssertInert(t, "doctor stdout", out, true)
			safetexttest.AssertInert(t, "doctor stderr", errOut, true)
		})
	}
}

// startSimEnvFor is the environment of a run against endpoint.
func startSimEnvFor(t *testing.T, endpoint string) []string {
	return []string{"DINGTALK_APP_KEY=app", "DINGTALK_APP_SECRET=" + secret, "DINGTALK_ENDPOINT=" + endpoint,
		"XDG_CONFIG_HOME=" + t.TempDir(), "XDG_STATE_HOME=" + t.TempDir(), "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
}

// TestDoctorDingTalkDetails: what DingTalk names (the IP it saw, the
// permissions it wants) reaches the report; a redirect is a wrong endpoint.
func TestDoctorDingTalkDetails(t *testing.T) {
	cases := map[string]struct {
		status      int
		body        string
		check, want string
		fix         string
	}{
		"ip": {403, `{"code":"Forbidden.AccessDenied.IpNotInWhiteList","requestid":"r1","message":"ip 203.0.113.7 is not in the white list"}`,
			"permission", "203.0.113.7", "allow-list"},
		"scopes": {403, `{"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","requestid":"r2","message":"no","accessdenieddetail":{"requiredScopes":["qyapi_robot_sendmsg","Contact.User.Read"]}}`,
			"permission", "Contact.User.Read", "qyapi_robot_sendmsg, Contact.User.Read"},
		"redirect": {http.StatusFound, "", "endpoint", "redirect", "api.dingtalk.io"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.status == http.StatusFound {
					http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "/accessToken") {
					fmt.Fprint(w, `{"accessToken":"tok","expireIn":7200}`)
					return
				}
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer fake.Close()
			env := setEnv(startSimEnvFor(t, fake.URL), "DINGTALK_ROBOT_CODE", "dingdemo")
			out, _, code := runBinary(t, env, "", "doctor")
			line, ok := doctorLine(t, out, tc.check)
			if code != 2 || ok || !strings.Contains(line, tc.want) || !strings.Contains(fixOf(out, tc.check), tc.fix) {
				t.Fatalf("exit %d; %s should fail naming %q with a fix naming %q:\n%s", code, tc.check, tc.want, tc.fix, out)
			}
		})
	}
}

// startPushSim is a simulated DingTalk whose recipients read within a
// moment, with u1 in its directory, for the push checks.
func startPushSim(t *testing.T) *sim.Server {
	t.Helper()
	s, err := sim.Start(sim.Options{AppKey: "app", AppSecret: secret, NotReadyFor: time.Millisecond,
		ReadPlan: func(string) time.Duration { return 200 * time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.AddPeople(sim.Person{UserID: "u1", Name: "Ana"})
	return s
}

func TestDoctorPush(t *testing.T) {
	t.Run("not checked without --wait", func(t *testing.T) {
		s := startPushSim(t)
		out, _, code := runBinary(t, simEnv(t, s), "", "doctor")
		if line, _ := doctorLine(t, out, "stream"); code != 0 || !strings.HasPrefix(line, "- ") || !strings.Contains(line, "--wait") {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if n := s.Stream().Opens(); n != 0 {
			t.Fatalf("doctor opened %d Stream connections without --wait: each takes a share of the app's events", n)
		}
	})
	t.Run("push on: the connection is checked", func(t *testing.T) {
		s := startPushSim(t)
		out, _, code := runBinary(t, append(simEnv(t, s), "DINGWATCH_PUSH=true"), "", "doctor")
		line, ok := doctorLine(t, out, "stream")
		if events, _ := doctorLine(t, out, "events"); code != 0 || !ok || !strings.Contains(line, "opens") || !strings.Contains(events, "--wait") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("a pushed read arrives", func(t *testing.T) {
		s := startPushSim(t)
		out, errOut, code := runBinary(t, simEnv(t, s), "", "doctor", "--send-test", "u1", "--wait", "30s")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		for _, name := range []string{"stream", "events"} {
			if line, ok := doctorLine(t, out, name); !ok {
				t.Errorf("%s: %s", name, line)
			}
		}
		if line, _ := doctorLine(t, out, "events"); !strings.Contains(line, "test notice's robot_msg_read event arrived") {
			t.Errorf("events: %s", line)
		}
		if sends := s.Sends(); len(sends) != 1 || sends[0].UserIDs[0] != "u1" || !strings.Contains(sends[0].MsgParam, "dingwatch doctor") {
			t.Errorf("sends: %+v", sends)
		}
		if !strings.Contains(errOut, "open it in DingTalk now") {
			t.Errorf("stderr does not say what to do: %q", errOut)
		}
	})
	t.Run("the test notice is counted, and held to the budget", func(t *testing.T) {
		s := startPushSim(t)
		env := simEnv(t, s)
		// A budget of 1: the probe takes it, the test notice is not sent.
		out, _, code := runBinary(t, env, "", "--budget", "1", "doctor", "--send-test", "u1", "--wait", "1s")
		line, ok := doctorLine(t, out, "events")
		if code != 1 || ok || len(s.Sends()) != 0 || !strings.Contains(line, "the test notice to u1 costs 1 metered call, and the daily budget is spent (1 of 1") {
			t.Fatalf("exit %d, %d sends\n%s", code, len(s.Sends()), out)
		}
		out, errOut, code := runBinary(t, env, "", "--budget", "3", "doctor", "--send-test", "u1", "--wait", "30s")
		if code != 0 || len(s.Sends()) != 1 {
			t.Fatalf("exit %d, %d sends\n%s%s", code, len(s.Sends()), out, errOut)
		}
		if st, err := watch.LoadState(stateDir(env)); err != nil || st.Calls.Spent(time.Now()) != 3 {
			t.Fatalf("the saved ledger holds %d calls (%v), want 3: two probes and the test notice", st.Calls.Spent(time.Now()), err)
		}
	})
	t.Run("no read event names the console setting", func(t *testing.T) {
		s := startPushSim(t)
		s.Stream().Configure(sim.StreamSettings{LossRate: 1})
		out, _, code := runBinary(t, simEnv(t, s), "", "doctor", "--send-test", "u1", "--wait", "2s")
		line, ok := doctorLine(t, out, "events")
		if code != 2 || ok || !strings.Contains(line, "within 2s") || !strings.Contains(fixOf(out, "events"), "Stream mode push") ||
			!strings.Contains(fixOf(out, "events"), "robot_msg_read") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("the stream refuses", func(t *testing.T) {
		s := startPushSim(t)
		s.Stream().RefuseTickets(100)
		out, _, code := runBinary(t, simEnv(t, s), "", "doctor", "--wait", "1s")
		if line, ok := doctorLine(t, out, "stream"); code == 0 || ok || !strings.Contains(line, "did not open") {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if line, _ := doctorLine(t, out, "events"); !strings.HasPrefix(line, "- ") {
			t.Fatalf("events should be skipped:\n%s", out)
		}
	})
	t.Run("a test notice to something that is no userId", func(t *testing.T) {
		s := startPushSim(t)
		_, errOut, code := runBinary(t, simEnv(t, s), "", "doctor", "--send-test", "$:LWCP_v1:$abc", "--wait", "1s")
		if code != 2 || !strings.Contains(errOut, "--send-test") || len(s.Sends()) != 0 || s.Calls("token") != 0 {
			t.Fatalf("exit %d, %q, %d sends", code, errOut, len(s.Sends()))
		}
	})
}
