package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every binding of the dashboard; components pick theirs for
// the help they show.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Tab, Expand, Filter, Mark, Inspect      key.Binding
	Add, Label, SentAt, Remove, Name        key.Binding
	Send, Remind, Recall, Resend, ResendAll key.Binding
	Copy, Write                             key.Binding
	Refresh, RefreshAll                     key.Binding
	Dismiss, Help, Quit                     key.Binding
}

// changes are the bindings that change something: a viewer is told they
// are off instead.
func (k keyMap) changes() []key.Binding {
	return []key.Binding{k.Add, k.Label, k.SentAt, k.Remove, k.Mark, k.Name, k.Send, k.Remind, k.Recall, k.Resend, k.ResendAll, k.Write}
}

func newKeyMap() keyMap {
	return keyMap{
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Tab:        key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "other pane")),
		Expand:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open notice")),
		Inspect:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inspect messages")),
		Mark:       key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark key")),
		Name:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "make notice")),
		Send:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send notice")),
		Remind:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "remind unread")),
		Recall:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "recall")),
		Resend:     key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "resend failed batches")),
		ResendAll:  key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "resend failed+unknown")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy unread")),
		Write:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write CSV")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Add:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add keys")),
		Label:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "rename")),
		SentAt:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "send time")),
		Remove:     key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		RefreshAll: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "refresh all")),
		Dismiss:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter/banners")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// fullHelp is the help screen's titled columns; a viewer's lacks the
// changes.
func (k keyMap) fullHelp(readOnly, noExport bool) ([]string, [][]key.Binding) {
	if readOnly {
		return []string{"Move", "See", "Other"}, [][]key.Binding{
			{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
			{k.Tab, k.Expand, k.Filter, k.Inspect, k.Refresh, k.RefreshAll, k.Copy},
			{k.Dismiss, k.Help, k.Quit},
		}
	}
	files := []key.Binding{k.Copy, k.Write}
	if noExport {
		files = files[:1]
	}
	return []string{"Move", "See", "Keys and notices", "Send"}, [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		append([]key.Binding{k.Tab, k.Expand, k.Filter, k.Inspect, k.Refresh, k.RefreshAll}, files...),
		{k.Add, k.Label, k.SentAt, k.Remove, k.Mark, k.Name, k.Dismiss},
		{k.Send, k.Remind, k.Recall, k.Resend, k.ResendAll, k.Help, k.Quit},
	}
}
