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
		// read of total as the dashboard's row counts it: the people
		// DingTalk did not deliver to are of its total (a key that reached
		// nobody is "read 0/20", not "0/0").
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
		if ks.Undelivered {
			status = fmt.Sprintf("NOT DELIVERED (DingTalk delivered it to nobody: %s not delivered; not asked)",
				Plural(len(k.NotDelivered), "person", "people"))
		}
		fmt.Fprintf(bw, "%s%s  %s  read %d/%d\n", line(k.Key), label, status, len(read), a.Total())
		writePeople(bw, "Read", read)
		writePeople(bw, "Unread", unread)
		if len(a.NotDelivered) > 0 {
			fmt.Fprintf(bw, "  Not delivered by DingTalk (%d)\n", len(a.NotDelivered))
			for _, p := range a.NotDelivered {
				fmt.Fprintf(bw, "    %s  (%s)\n", line(p.UserID), line(p.Reason))
			}
		}
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

// writeNoticeSummary prints one notice: read of total (over the keys in
// the report), marked "!" when it did not reach everyone (delivered to
// nobody — the whole notice; else the keys asked reached nobody —, people
// not delivered by DingTalk, a failed batch, a batch whose outcome is
// unknown), the unread
// names, the people it did not reach (failed batches, not delivered by
// DingTalk) and, apart, the people who may have it (batches whose outcome
// is unknown).
func writeNoticeSummary(w io.Writer, n NoticeStatus) {
	a := n.Audience
	var marks []string
	switch {
	case n.DeliveredToNobody(): // of the whole notice
		marks = append(marks, "delivered to nobody")
	case n.KeysReachedNobody(): // the notice reached people through other keys
		marks = append(marks, n.keysAsked()+" reached nobody")
	case len(a.NotDelivered) > 0:
		marks = append(marks, Plural(len(a.NotDelivered), "person", "people")+" not delivered by DingTalk")
	}
	if len(a.Failed) > 0 {
		marks = append(marks, "a batch failed")
	}
	if len(a.Unknown) > 0 {
		marks = append(marks, "a batch's outcome is unknown")
	}
	mark := ""
	if len(marks) > 0 {
		mark = "  ! " + strings.Join(marks, "; ")
	}
	fmt.Fprintf(w, "notice %q: read %d/%d over %s%s\n", line(n.Label), len(a.Read), a.Total(), Plural(len(n.Keys), "key", "keys"), mark)
	list := func(title string, people []Person, show func(Person) string) {
		if len(people) == 0 {
			return
		}
		names := make([]string, len(people))
		for i, p := range people {
			names[i] = show(p)
		}
		fmt.Fprintf(w, "  %s (%d): %s\n", title, len(people), strings.Join(names, ", "))
	}
	name := func(p Person) string { return line(p.Display()) }
	list("unread", a.Unread, name)
	list("batch failed, not sent", a.Failed, name)
	list("not delivered by DingTalk", a.NotDelivered, func(p Person) string { return line(p.UserID) + " (" + line(p.Reason) + ")" })
	list("batch outcome unknown, may have it", a.Unknown, name)
}

// Plural is n with the singular or plural noun: "1 key", "2 keys".
func Plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, Noun(n, one, many))
}

// Noun is the word for n things, without the number: one when n is 1,
// else many ("key", "keys"; "waits", "wait").
func Noun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
