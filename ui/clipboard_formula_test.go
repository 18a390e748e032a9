package ui

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/dingwatch/dingwatch/internal/safetext"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
	"github.com/dingwatch/dingwatch/watch"
)

// formulaStarts are the first characters a spreadsheet reads as a formula
// (ASCII and full-width).
const formulaStarts = "=+-@＝＋－＠"

// checkCopiedTable fails when text is not one "name<TAB>id" row per
// person, each cell inert and none starting a formula.
func checkCopiedTable(t *testing.T, what, text string, rows int) {
	t.Helper()
	safetexttest.AssertInert(t, what, text, true)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) != rows {
		t.Errorf("%s: %d rows, want %d: %q", what, len(lines), rows, text)
	}
	for _, l := range lines {
		cells := strings.Split(l, "\t")
		if len(cells) != 2 {
			t.Errorf("%s: row %q has %d cells", what, l, len(cells))
		}
		for _, c := range cells {
			if c != "" && strings.ContainsRune(formulaStarts, []rune(c)[0]) {
				t.Errorf("%s: cell %q starts a formula", what, c)
			}
		}
	}
}

// TestCopiedNamesAreSpreadsheetSafe: y copies a table that managers paste
// into a spreadsheet; a name or id DingTalk gave that would start a formula
// is protected as in the CSV export, and every hostile string lands inert,
// on its own row.
func TestCopiedNamesAreSpreadsheetSafe(t *testing.T) {
	hostile := map[string]string{"minus": "-2+3", "at": "@SUM(A1)", "full-width equals": "＝1+1", "full-width plus": "＋cmd", "full-width at": "＠x"}
	for name, s := range safetexttest.Hostile {
		hostile[name] = s
	}
	for name, s := range hostile {
		text := unreadText([]watch.Person{
			{Recipient: watch.Recipient{UserID: "u1", Name: s}},
			{Recipient: watch.Recipient{UserID: s}},
			{Recipient: watch.Recipient{UserID: s, Name: "Bob"}},
		})
		checkCopiedTable(t, name, text, 3)
		if first := strings.SplitN(text, "\t", 2)[0]; first != safetext.CSVCell(s, 0) {
			t.Errorf("%s: name cell %q, want the CSV export's %q", name, first, safetext.CSVCell(s, 0))
		}
	}
}

// TestCopyFromTheDashboardIsSpreadsheetSafe: the same through y on a
// notice whose unread people have hostile names.
func TestCopyFromTheDashboardIsSpreadsheetSafe(t *testing.T) {
	st := fixtureState()
	b1 := st.Keys[0]
	b1.Recipients[1].Name = "=cmd|' /C calc'!A0"
	b1.Recipients[2].Name = safetexttest.Hostile["osc52 clipboard"]
	var out bytes.Buffer
	e := &fakeEngine{state: st}
	m := newTestModelWith(Options{Engine: e, Getenv: env()})
	m.opts.Renderer.SetOutput(termenvOutput(&out))
	m = drive(m, sizeMsg(80, 24), snapshotMsg{e.Snapshot()})
	m = drive(m, keys("y")...)
	seq := out.String()
	start := strings.Index(seq, "\x1b]52;c;")
	end := strings.Index(seq, "\x07")
	if start < 0 || end < start {
		t.Fatalf("no clipboard write: %q (flash %q)", seq, m.flash)
	}
	text, err := base64.StdEncoding.DecodeString(seq[start+len("\x1b]52;c;") : end])
	if err != nil {
		t.Fatal(err)
	}
	checkCopiedTable(t, "y", string(text), 4)
	if !strings.Contains(string(text), "'=cmd|' /C calc'!A0\tu02\n") {
		t.Errorf("the formula name is not protected as in the CSV export: %q", text)
	}
}
