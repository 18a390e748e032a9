package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// A key typed before the terminal's size came (an SSH session's first
// moments) acts once the first frame is drawn, not dropped as a key on a
// too-small screen is; ctrl+c quits at once (serve's
// TestFirstFrameWithoutQueryAnswersAndNoKeyEaten failed 1 in CI's runs).
func TestKeysBeforeTheFirstSizeAreKept(t *testing.T) {
	e := &fakeEngine{state: fixtureState()}
	m := drive(newTestModel(e), snapshotMsg{e.Snapshot()}, keys("?")[0])
	if strings.Contains(m.View(), "any key closes") {
		t.Fatal("the help drawn before any size came")
	}
	m = drive(m, sizeMsg(100, 30))
	if !strings.Contains(m.View(), "any key closes") {
		t.Fatalf("the ? typed before the first size was eaten:\n%s", m.View())
	}
	if _, cmd := newTestModel(e).Update(tea.KeyMsg{Type: tea.KeyCtrlC}); cmd == nil {
		t.Fatal("ctrl+c before the first size does not quit")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("ctrl+c before the first size does not quit")
	}
}
