package ui

import (
	"fmt"
	"io"
	"strings"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/watch"
)

// osc52For is the clipboard sequence for text in the terminal that env
// describes. TERM alone misleads: tmux's default TERM is "screen", and
// GNU screen's chunked mode inside tmux is cut at tmux's first chunk end.
//   - under GNU screen (STY set): screen's chunked DCS mode;
//   - under tmux (TMUX set): plain OSC 52 (taken by tmux with
//     set-clipboard on) and the same wrapped for passthrough (reaching the
//     outer terminal with allow-passthrough on);
//   - elsewhere: plain OSC 52.
func osc52For(getenv func(string) string, text string) string {
	seq := osc52.New(text)
	switch {
	case getenv("STY") != "":
		return seq.Screen().String()
	case getenv("TMUX") != "":
		return seq.String() + seq.Tmux().String()
	}
	return seq.String()
}

// unreadText is the copied text: one "name<TAB>userId" line per person —
// a table, made to be pasted into a spreadsheet. Each cell is a CSV
// export's (safetext.CSVCell): cleaned, so that nothing pasted into a
// shell can act, and with a leading ' when it would start a formula.
func unreadText(people []watch.Person) string {
	var b strings.Builder
	for _, p := range people {
		id := idOf(p.Recipient)
		name := p.Name
		if strings.TrimSpace(name) == "" {
			name = id
		}
		fmt.Fprintf(&b, "%s\t%s\n", safetext.CSVCell(name, 0), safetext.CSVCell(id, 0))
	}
	return b.String()
}

// copyCmd writes text to the terminal's clipboard and says how much.
func copyCmd(out io.Writer, getenv func(string) string, text, what string) tea.Cmd {
	return func() tea.Msg {
		if _, err := io.WriteString(out, osc52For(getenv, text)); err != nil {
			return doneMsg{err: fmt.Errorf("copying: %w", err)}
		}
		return doneMsg{text: fmt.Sprintf("copied %s (%s; the terminal must allow OSC 52)", what, byteSize(len(text)))}
	}
}
