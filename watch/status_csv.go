package watch

import "io"

// WriteCSV writes one row per recipient of the keys that answered, then
// one per person of the report's notices whose batch failed or has an
// unknown outcome (see CSVOptions.Write), preceded by a UTF-8 byte-order
// mark when bom is set.
func (r *StatusReport) WriteCSV(w io.Writer, bom bool) error {
	var keys []*Key
	for _, ks := range r.Keys {
		if ks.Err == nil {
			keys = append(keys, ks.Key)
		}
	}
	notices := make([]*Notice, 0, len(r.Notices))
	for _, n := range r.Notices {
		notices = append(notices, &Notice{ID: n.ID, Label: n.Label, Batches: n.Batches})
	}
	return CSVOptions{BOM: bom, Notices: notices}.Write(w, keys)
}
