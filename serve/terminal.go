package serve

import (
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/muesli/termenv"
)

// The largest terminal a session is drawn for. A client may ask for any
// size (the protocol allows 2³²−1 columns); the dashboard's memory grows
// with the area, so larger requests, on the PTY request and on every
// window change, are drawn at this size. 500x200 is wider and taller than
// any real screen at a readable font size.
const (
	MaxTermWidth  = 500
	MaxTermHeight = 200
)

// clampWindow bounds a requested window to MaxTermWidth x MaxTermHeight.
func clampWindow(w ssh.Window) (width, height int) {
	return max(0, min(w.Width, MaxTermWidth)), max(0, min(w.Height, MaxTermHeight))
}

// newRenderer is the session's lipgloss renderer. Unlike wish's, it sends
// the client no query: its colour profile comes from the TERM, COLORTERM
// and NO_COLOR the client sent, and its background is taken as dark
// unless COLORFGBG says it is light. A terminal that answers no queries
// thus gets its first frame at once, and no key it sends is eaten by a
// wait for an answer.
func newRenderer(sess ssh.Session, pty ssh.Pty) *lipgloss.Renderer {
	env := sshEnviron(append(sess.Environ(), "TERM="+pty.Term))
	opts := []termenv.OutputOption{termenv.WithEnvironment(env), termenv.WithUnsafe()}
	if pty.Term == "" || pty.Term == "dumb" {
		opts = append(opts, termenv.WithProfile(termenv.Ascii))
	}
	r := lipgloss.NewRenderer(sess, opts...)
	r.SetHasDarkBackground(darkBackground(env.Getenv("COLORFGBG")))
	return r
}

// darkBackground reads COLORFGBG ("15;0": light text on colour 0); dark
// unless the background is one of the light ANSI colours (7, 9–15).
func darkBackground(colorfgbg string) bool {
	parts := strings.Split(colorfgbg, ";")
	bg, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		return true
	}
	return !(bg == 7 || (bg >= 9 && bg <= 15))
}

// sshEnviron is a session's environment for termenv.
type sshEnviron []string

// Environ implements termenv.Environ.
func (e sshEnviron) Environ() []string { return e }

// Getenv implements termenv.Environ: the last value set wins.
func (e sshEnviron) Getenv(k string) string {
	v := ""
	for _, kv := range e {
		if strings.HasPrefix(kv, k+"=") {
			v = kv[len(k)+1:]
		}
	}
	return v
}

// inputTap passes the client's input on, recording that it came.
type inputTap struct {
	r     io.Reader
	touch func()
}

func (t inputTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.touch()
	}
	return n, err
}
