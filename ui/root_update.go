package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

// Update routes a message: the engine's and the clock's to the panes, a
// key to the open overlay or else to the focused pane and the bindings,
// and lays the screen out again when what it shows changed. A panic
// inside ends the program cleanly: the terminal is restored, the stack
// goes to the log, and the user gets one line (Crashed).
func (m Model) Update(msg tea.Msg) (result tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			result, cmd = m, tea.Quit
		}
	}()
	m, cmd = m.route(msg)
	m.noteDrawn() // which warnings the frame drawn next says (WarningDrawn)
	return m, cmd
}

// maxEarlyKeys bounds the keys kept before the first size: a paste
// typed then is kept whole up to it (Bubble Tea gives a paste as one key).
const maxEarlyKeys = 64

func (m Model) route(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.relayout()
		first := !m.sized && m.opts.FirstFrame != nil
		m.sized = true
		m, cmd := m.resized()
		if first {
			cmd = tea.Batch(cmd, firstFrame(m.opts.FirstFrame))
		}
		early := m.early
		m.early = nil
		for _, k := range early {
			var kc tea.Cmd
			m, kc = m.route(k)
			cmd = tea.Batch(cmd, kc)
		}
		return m, cmd
	case snapshotMsg:
		if m.snap != nil && msg.snap.Version < m.snap.Version {
			return m, nil // an older snapshot overtaken by a newer one
		}
		m.snap = msg.snap
		m.setClock()
		m.list.setSnapshot(msg.snap)
		m.relayout()
		return m, m.noticeEvents()
	case changedMsg:
		return m, tea.Batch(takeSnapshot(m.opts.Engine), waitChange(m.opts.Changes))
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil // a stale tick chain
		}
		held := m.snap != nil && m.heldByDingTalk()
		m.setClock()
		if held && !m.heldByDingTalk() {
			m.relayout() // DingTalk's pause is over: its banner goes
		}
		return m, m.tick()
	case flashMsg:
		return m.setFlash(msg.text, msg.err)
	case flashEndMsg:
		if msg.id == m.flashID {
			m.flash, m.flashErr = "", false
			m.relayout()
		}
		return m, nil
	case doneMsg:
		if msg.clearMarks {
			clear(m.list.marked)
		}
		if msg.selectRow != "" {
			m.list.pending = msg.selectRow
			m.list.rebuild()
		}
		if msg.err != nil {
			return m.setFlash(msg.err.Error(), true)
		}
		return m.setFlash(msg.text, false)
	case armMsg:
		if m.overlay == msg.p {
			msg.p.now = m.opts.Now()
			m.relayout()
		}
		return m, nil
	case tea.KeyMsg:
		if !m.sized && msg.String() != "ctrl+c" && len(m.early) < maxEarlyKeys {
			// Typed before the terminal's size came (an SSH session's
			// first moments): kept for the first frame, not dropped as
			// keys on a too-small screen are.
			m.early = append(m.early, msg)
			return m, nil
		}
		m.c.now = m.opts.Now() // when this key came: confirmations arm on it
		var cmds []tea.Cmd
		for _, k := range m.answers.keys(msg) {
			before := m.overlay
			var cmd tea.Cmd
			m, cmd = m.key(k)
			cmds = append(cmds, cmd)
			if m.overlay != nil && m.overlay != before {
				// A key of this burst opened a form, an input or a question:
				// the rest was typed before it could be seen, and never
				// reaches it.
				break
			}
		}
		return m, tea.Batch(cmds...)
	}
	// Anything else (an unknown CSI answer, focus reports) reaches no input.
	return m, nil
}

// key handles one key press.
func (m Model) key(msg tea.KeyMsg) (Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m, tea.Quit
	}
	if m.tooSmall() {
		return m.tooSmallKey(msg) // nothing else is drawn: nothing else acts (too_small.go)
	}
	if m.overlay != nil {
		if p, ok := m.overlay.(*confirm); ok {
			p.now = m.c.now
		}
		var cmd tea.Cmd
		m.overlay, cmd = m.overlay.Update(msg)
		m.relayout()
		return m, tea.Batch(cmd, m.arm())
	}
	if m.list.filtering {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		m.selectionChanged()
		return m, cmd
	}
	return m.binding(msg)
}

// arm starts the arming delay of a confirmation that has just opened.
func (m Model) arm() tea.Cmd {
	p, ok := m.overlay.(*confirm)
	if !ok || !p.openedAt.IsZero() {
		return nil
	}
	p.opened(m.c.now)
	return m.after(armDelay, armMsg{p})
}

// setClock takes the time for this frame and gives it to the panes.
func (m *Model) setClock() {
	m.c.now = m.opts.Now()
	m.list.c.now = m.c.now
	m.detail.setCommon(m.c)
}

// setFlash shows a short message that ends by itself.
func (m Model) setFlash(text string, isErr bool) (Model, tea.Cmd) {
	m.flash, m.flashErr = text, isErr
	m.flashID++
	m.relayout()
	if text == "" {
		return m, nil
	}
	return m, m.after(flashFor, flashEndMsg{m.flashID})
}

// selectionChanged shows the selected row in the detail pane.
func (m *Model) selectionChanged() {
	r, ok := m.list.selected()
	serial := uint64(0)
	if ok {
		serial = m.list.serials[m.list.cursor]
	}
	m.detail.setRow(r, serial, ok, m.list.filter)
}

// setFocus gives the focus to pane f and marks it.
func (m *Model) setFocus(f focus) {
	m.focus = f
	m.list.focused = f == focusList
	m.detail.focused = f == focusDetail
	m.detail.layout()
}

// noticeEvents turns new read events into a message, and a bell.
func (m *Model) noticeEvents() tea.Cmd {
	if m.snap == nil || m.snap.EventSeq == m.seenSeq {
		return nil
	}
	first := m.seenSeq == 0
	fresh := m.snap.EventSeq - m.seenSeq
	m.seenSeq = m.snap.EventSeq
	if first {
		return nil // what happened before this view opened
	}
	evs := m.snap.Events
	evs = evs[max(0, len(evs)-int(min(fresh, uint64(len(evs))))):]
	var cmds []tea.Cmd
	for _, ev := range evs {
		if ev.Everyone {
			what := clean(ev.Notice)
			if what == "" {
				what = shortKey(ev.Key)
			}
			said := what + ": everyone has read it"
			if ev.NotDelivered > 0 { // never "everyone" of people DingTalk did not deliver to
				said = fmt.Sprintf("%s: everyone it reached has read it (%s not delivered by DingTalk)", what, pluralize(ev.NotDelivered, "person"))
			}
			cmds = append(cmds, flashCmd(said, false))
		}
	}
	if m.opts.Bell && len(evs) > 0 {
		cmds = append(cmds, ring(m.opts.Renderer.Output()))
	}
	return tea.Batch(cmds...)
}
