package ui

import "github.com/charmbracelet/bubbles/key"

// keyMap is every binding of the dashboard; it also feeds the help view.
type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Tab, Expand, Filter, Mark               key.Binding
	Add, Label, SentAt, Remove, Name        key.Binding
	Send, Remind, Recall                    key.Binding
	Copy, Write                             key.Binding
	Refresh, RefreshAll                     key.Binding
	Dismiss, Help, Quit                     key.Binding
}

func newKeyMap(readOnly bool) keyMap {
	k := keyMap{
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Tab:        key.NewBinding(key.WithKeys("tab", "shift+tab"), key.WithHelp("tab", "switch pane")),
		Expand:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open notice")),
		Mark:       key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "mark key")),
		Name:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "name notice")),
		Send:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "send notice")),
		Remind:     key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "remind unread")),
		Recall:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "recall")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy unread")),
		Write:      key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "write CSV")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Add:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add keys")),
		Label:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "rename")),
		SentAt:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "send time")),
		Remove:     key.NewBinding(key.WithKeys("d", "delete"), key.WithHelp("d", "remove")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		RefreshAll: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "refresh all")),
		Dismiss:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "hide banners")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
	if readOnly {
		for _, b := range []*key.Binding{&k.Add, &k.Label, &k.SentAt, &k.Remove, &k.Mark, &k.Name, &k.Send, &k.Remind, &k.Recall, &k.Write} {
			b.SetEnabled(false)
		}
	}
	return k
}

// ShortHelp is the footer's line.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Down, k.Tab, k.Add, k.Refresh, k.Help, k.Quit}
}

// FullHelp is the help screen's columns.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Tab, k.Expand, k.Filter, k.Refresh, k.RefreshAll, k.Copy, k.Write},
		{k.Add, k.Label, k.SentAt, k.Remove, k.Mark, k.Name, k.Dismiss},
		{k.Send, k.Remind, k.Recall, k.Help, k.Quit},
	}
}
