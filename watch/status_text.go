package watch

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// line cleans one outside string for a line of text output.
func line(s string) string { return safetext.Line(s, 0) }

// WriteText writes the report for a person at a terminal: each key with its
// send status and who has and has not read it, then a summary of each
// notice. Every string that came from outside (keys, names, userIds,
// statuses, error messages, labels) is cleaned with safetext.Line.
func (r *StatusReport) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, ks := range r.Keys {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		k := ks.Key
		label := ""
		if k.Label != "" {
			label = fmt.Sprintf("  label %q", line(k.Label))
		}
		if ks.Err != nil {
			fmt.Fprintf(bw, "%s%s  FAILED: %s\n", line(k.Key), label, line(ks.Err.Error()))
			continue
		}
		// The order of the dashboard, the summary and the CSV: readers by
		// name then read time, the unread by name (SortPeople).
		a := AudienceOf([]*Key{k})
		read, unread := a.Read, a.Unread
		status := line(k.SendStatus)
		if ks.Expired {
			status = "EXPIRED (as last seen"
			if !k.LastOK.IsZero() {
				status += " " + k.LastOK.UTC().Format("2006-01-02 15:04 UTC")
			}
			status += "; DingTalk keeps read status 24 hours)"
		}
		fmt.Fprintf(bw, "%s%s  %s  read %d/%d\n", line(k.Key), label, status, len(read), len(k.Recipients))
		writePeople(bw, "Read", read)
		writePeople(bw, "Unread", unread)
	}
	for _, n := range r.Notices {
		fmt.Fprintln(bw)
		writeNoticeSummary(bw, n)
	}
	return bw.Flush()
}

// nameColumn is the widest the name column is padded to, in terminal
// cells: a longer name is printed whole, and only its own row's userId
// moves right, not every row's.
const nameColumn = 24

// writePeople prints a titled list of names and userIds, names padded by
// display width (CJK names take two cells a character) so they line up,
// up to nameColumn cells.
func writePeople(w io.Writer, title string, people []Person) {
	fmt.Fprintf(w, "  %s (%d)\n", title, len(people))
	names := make([]string, len(people))
	width := 0
	for i, p := range people {
		names[i] = line(p.Name)
		width = max(width, min(ansi.StringWidth(names[i]), nameColumn))
	}
	for i, p := range people {
		id := p.UserID
		if id == "" {
			id = p.UnionID
		}
		fmt.Fprintf(w, "    %s%s  %s\n", names[i], strings.Repeat(" ", max(0, width-ansi.StringWidth(names[i]))), line(id))
	}
}

// writeNoticeSummary prints one notice: read of total, the unread names,
// and the people of failed or unknown batches with their batch's state.
func writeNoticeSummary(w io.Writer, n NoticeStatus) {
	a := n.Audience
	total := n.Meant()
	mark := ""
	if n.Troubled() {
		mark = "  ! not every batch was sent"
	}
	fmt.Fprintf(w, "notice %q: read %d/%d over %s%s\n", line(n.Label), len(a.Read), total, Plural(len(n.Keys), "key", "keys"), mark)
	if len(a.Unread) > 0 {
		names := make([]string, len(a.Unread))
		for i, p := range a.Unread {
			names[i] = line(p.Display())
		}
		fmt.Fprintf(w, "  unread (%d): %s\n", len(a.Unread), strings.Join(names, ", "))
	}
	for _, state := range []string{BatchFailed, BatchUnknown} {
		var who []string
		for _, p := range a.Undelivered {
			if p.Batch == state {
				who = append(who, line(p.Display()))
			}
		}
		if len(who) > 0 {
			fmt.Fprintf(w, "  batch %s, not sent (%d): %s\n", state, len(who), strings.Join(who, ", "))
		}
	}
	if len(n.NotDelivered) > 0 {
		who := make([]string, len(n.NotDelivered))
		for i, u := range n.NotDelivered {
			who[i] = line(u.UserID) + " (" + line(u.Reason) + ")"
		}
		fmt.Fprintf(w, "  not delivered by DingTalk (%d): %s\n", len(who), strings.Join(who, ", "))
	}
}

// Plural is n with the singular or plural noun: "1 key", "2 keys".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
