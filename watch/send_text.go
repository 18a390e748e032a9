package watch

import (
	"encoding/json"
	"fmt"
	"github.com/dingwatch/dingwatch/internal/safetext"
	"io"
	"strings"
)

// WriteText writes what a send did for a person at a terminal: batches
// sent of all, then each batch and everyone DingTalk did not deliver to.
// Outside strings (keys, userIds, labels, error messages, reasons) are
// cleaned with safetext.Line.
func (r SendReport) WriteText(w io.Writer) error {
	sent := 0
	for _, b := range r.Batches {
		if b.Status == BatchSent {
			sent++
		}
	}
	fmt.Fprintf(w, "notice %q: %d of %s sent\n", line(r.Label), sent, Plural(len(r.Batches), "batch", "batches"))
	for i, b := range r.Batches {
		who := Plural(len(b.UserIDs), "recipient", "recipients")
		switch b.Status {
		case BatchSent:
			fmt.Fprintf(w, "  batch %d (%s): sent, key %s\n", i+1, who, line(b.Key))
		default:
			ids := make([]string, len(b.UserIDs))
			for j, id := range b.UserIDs {
				ids[j] = line(id)
			}
			fmt.Fprintf(w, "  batch %d (%s): %s: %s\n    %s\n", i+1, who, strings.ToUpper(b.Status), line(b.Error), strings.Join(ids, ","))
		}
	}
	for _, u := range r.NotDelivered {
		_, err := fmt.Fprintf(w, "  not delivered: %s (%s)\n", line(u.UserID), line(u.Reason))
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the documented JSON shape of a send's result: the
// notice's label, the round sent (0: the first send; a reminder or a
// resend is a later one), its keys, each batch, who was not delivered to,
// and whether DingTalk delivered this send to nobody (DeliveredToNobody:
// of this round only, never of the notice's earlier rounds).
func (r SendReport) WriteJSON(w io.Writer) error {
	type batch struct {
		Key     string   `json:"processQueryKey"`
		UserIDs []string `json:"userIds"`
		Status  string   `json:"status"`
		Error   string   `json:"error,omitempty"`
	}
	out := struct {
		Notice            string        `json:"notice"`
		Round             int           `json:"round"`
		Keys              []string      `json:"keys"`
		Batches           []batch       `json:"batches"`
		NotDelivered      []Undelivered `json:"notDelivered"`
		DeliveredToNobody bool          `json:"deliveredToNobody"`
	}{Notice: r.Label, Round: r.Round, Keys: r.Keys, Batches: []batch{}, NotDelivered: r.NotDelivered, DeliveredToNobody: r.DeliveredToNobody()}
	if out.Keys == nil {
		out.Keys = []string{}
	}
	if out.NotDelivered == nil {
		out.NotDelivered = []Undelivered{}
	}
	for _, b := range r.Batches {
		out.Batches = append(out.Batches, batch{b.Key, b.UserIDs, b.Status, b.Error})
	}
	return writeIndented(w, out)
}

// WriteRecallText writes each key's recall outcome on a line; outside
// strings are cleaned with safetext.Line.
func WriteRecallText(w io.Writer, out []RecallOutcome) error {
	for _, o := range out {
		var err error
		if o.OK {
			_, err = fmt.Fprintf(w, "%s  recalled\n", line(o.Key))
		} else {
			_, err = fmt.Fprintf(w, "%s  NOT recalled: %s\n", line(o.Key), line(o.Error))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// WriteRecallJSON writes the recall outcomes as {"recalls": […]}.
func WriteRecallJSON(w io.Writer, out []RecallOutcome) error {
	if out == nil {
		out = []RecallOutcome{}
	}
	return writeIndented(w, map[string]any{"recalls": out})
}

// writeIndented writes v as indented JSON with a final newline. Values stay
// raw (escaped by the encoder); the runes a terminal would act on that
// encoding/json leaves unescaped (DEL, C1, bidi and other format
// characters) are escaped too (safetext.JSON).
func writeIndented(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(safetext.JSON(b), '\n'))
	return err
}
