package ui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/watch"
)

func env(kv ...string) func(string) string {
	return func(k string) string {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

func TestOSC52FollowsTheMultiplexerNotTERM(t *testing.T) {
	text := strings.Repeat("欧阳娜娜\tu0001\n", 30) // longer than one screen chunk
	b64 := base64.StdEncoding.EncodeToString([]byte(text))
	plain := "\x1b]52;c;" + b64 + "\x07"
	cases := []struct {
		name string
		env  func(string) string
		want []string // substrings, in order
		not  string
	}{
		{"tmux with TERM=screen", env("TERM", "screen", "TMUX", "/tmp/tmux-0/default,1,0"), []string{plain, "\x1bPtmux;\x1b" + plain + "\x1b\\"}, "\x1b\\\x1bP"},
		{"GNU screen", env("TERM", "screen", "STY", "1234.pts-0.host"), []string{"\x1bP\x1b]52;c;" + b64[:76] + "\x1b\\\x1bP"}, ""},
		{"plain terminal", env("TERM", "xterm-256color"), []string{plain}, "\x1bP"},
		{"no environment", env(), []string{plain}, "\x1bP"},
	}
	for _, c := range cases {
		got := osc52For(c.env, text)
		at := 0
		for _, w := range c.want {
			i := strings.Index(got[at:], w)
			if i < 0 {
				t.Fatalf("%s: %q lacks %q", c.name, got, w)
			}
			at += i + len(w)
		}
		if c.not != "" && strings.Contains(got, c.not) {
			t.Fatalf("%s: %q holds %q", c.name, got, c.not)
		}
	}
}

func TestCopySaysHowMuch(t *testing.T) {
	var out bytes.Buffer
	people := []watch.Person{{Recipient: watch.Recipient{UserID: "u1", Name: "王芳"}}, {Recipient: watch.Recipient{UserID: "u2"}}}
	text := unreadText(people)
	if text != "王芳\tu1\nu2\tu2\n" {
		t.Fatalf("copied %q", text)
	}
	msg := copyCmd(&out, env("TMUX", "x"), text, pluralize(2, "unread name"))().(doneMsg)
	if msg.text != "copied 2 unread names (16 B; the terminal must allow OSC 52)" || !strings.Contains(out.String(), base64.StdEncoding.EncodeToString([]byte(text))) {
		t.Fatalf("%q / %q", msg.text, out.String())
	}
}

func TestCopyFromTheDashboard(t *testing.T) {
	var out bytes.Buffer
	e := &fakeEngine{state: fixtureState()}
	m := newTestModelWith(Options{Engine: e, Getenv: env("TMUX", "x")})
	m.opts.Renderer.SetOutput(termenvOutput(&out))
	m = drive(m, sizeMsg(80, 24), snapshotMsg{e.Snapshot()})
	m = drive(m, keys("y")...)
	if !strings.HasPrefix(m.flash, "copied 4 unread names (") {
		t.Fatalf("flash %q", m.flash)
	}
	r, _ := m.selected()
	var lines []string
	for _, p := range r.aud.Unread {
		lines = append(lines, p.Name+"\t"+p.UserID+"\n")
	}
	want := base64.StdEncoding.EncodeToString([]byte(strings.Join(lines, "")))
	if !strings.Contains(out.String(), want) {
		t.Fatalf("the clipboard got %q", out.String())
	}
}
