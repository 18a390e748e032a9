package watch

import (
	"encoding/csv"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// CSVHeader is the header line of every CSV dingwatch writes.
var CSVHeader = []string{"processQueryKey", "userId", "name", "readStatus", "firstSeenRead", "batch", "reason"}

// The readStatus column holds READ or UNREAD for people a sent key
// reached, and one of these for the others.
const (
	CSVNotDelivered = "NOT_DELIVERED" // in a sent batch, but DingTalk did not deliver (reason says why)
	CSVNotSent      = "NOT_SENT"      // in a batch that failed
	CSVUnknown      = "UNKNOWN"       // in a batch whose outcome is unknown: they may have it
)

// CSVOptions shape what WriteCSV's CSV holds.
type CSVOptions struct {
	// BOM starts the file with a UTF-8 byte-order mark (EF BB BF), so
	// spreadsheet programs on Chinese Windows read the names as UTF-8
	// instead of the local code page. Off by default: other tools would
	// see the mark as part of the first header cell.
	BOM bool
	// Notices are the notices exported: the people of their batches that
	// failed or have an unknown outcome, whom none of the notice's keys
	// reached, get a row each after the keys' rows.
	Notices []*Notice
}

// WriteCSV writes keys as CSV with the default options (see CSVOptions.Write).
func WriteCSV(w io.Writer, keys []*Key) error { return CSVOptions{}.Write(w, keys) }

// Write writes one row per recipient of keys (keys in order, people by name
// within each key), one per person DingTalk did not deliver to, then, for
// each of o.Notices, one per person of its batches not sent. Columns (CSVHeader): the key, userId,
// name, readStatus (READ, UNREAD, or CSVNotDelivered, CSVNotSent,
// CSVUnknown), firstSeenRead (RFC 3339, UTC; empty unless a read time was
// observed: see Recipient.FirstSeenRead), the batch's state ("sent",
// "failed", "unknown") and the reason a person was not reached. Every
// cell, keys included, is made safe to open (safetext.CSVCell): no control
// characters, no formula; a cell starting with = + - @ gets a leading '.
func (o CSVOptions) Write(w io.Writer, keys []*Key) error {
	if o.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	row := func(cells ...string) {
		for i, c := range cells {
			cells[i] = safetext.CSVCell(c, 0)
		}
		cw.Write(cells)
	}
	row(CSVHeader...)
	reached := map[string]map[string]int{} // notice → people its keys reached
	coll := DefaultCollation()
	for _, k := range keys {
		people := make([]Person, len(k.Recipients))
		if reached[k.Notice] == nil {
			reached[k.Notice] = map[string]int{}
		}
		for i, r := range k.Recipients {
			people[i] = Person{Recipient: r}
			reached[k.Notice][r.ID()] = i
		}
		coll.Sort(people)
		for _, p := range people {
			status, seen := "UNREAD", ""
			if p.Read {
				status = "READ"
				if !p.FirstSeenRead.IsZero() {
					seen = p.FirstSeenRead.UTC().Format(time.RFC3339)
				}
			}
			row(k.Key, p.UserID, p.Name, status, seen, BatchSent, "")
		}
		for _, u := range k.NotDelivered {
			row(k.Key, u.UserID, "", CSVNotDelivered, "", BatchSent, u.Reason)
		}
	}
	for _, n := range o.Notices {
		if n == nil {
			continue
		}
		unsent := undeliveredOf(n.Batches, reached[n.ID])
		people := make([]Person, len(unsent))
		byID := map[string]Batch{}
		for i, u := range unsent {
			people[i] = u.Person
			byID[u.UserID] = u.batch
		}
		coll.Sort(people)
		for _, p := range people {
			b := byID[p.UserID]
			status := CSVNotSent
			if b.Status == BatchUnknown {
				status = CSVUnknown
			}
			row(b.Key, p.UserID, "", status, "", b.Status, b.Error)
		}
	}
	cw.Flush()
	return cw.Error()
}
