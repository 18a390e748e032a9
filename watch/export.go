package watch

import (
	"encoding/csv"
	"io"
	"time"

	"github.com/dingwatch/dingwatch/internal/safetext"
)

// CSVHeader is the header line of every CSV dingwatch writes.
var CSVHeader = []string{"processQueryKey", "userId", "name", "readStatus", "firstSeenRead"}

// WriteCSV writes one row per recipient of keys, in order, with the time
// dingwatch first saw them read (RFC 3339, UTC; empty while unread).
func WriteCSV(w io.Writer, keys []*Key) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, k := range keys {
		for _, p := range k.Recipients {
			status, seen := "UNREAD", ""
			if p.Read {
				status = "READ"
				if !p.FirstSeenRead.IsZero() {
					seen = p.FirstSeenRead.UTC().Format(time.RFC3339)
				}
			}
			cw.Write([]string{safetext.CSVCell(k.Key, 0), safetext.CSVCell(p.UserID, 0), safetext.CSVCell(p.Name, 0), status, seen})
		}
	}
	cw.Flush()
	return cw.Error()
}
