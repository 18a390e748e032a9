package watch

import "io"

// WriteCSV writes the report as CSV (see CSVOptions.Write): one row per
// recipient of the keys that answered, then one per person of the
// reported notices' failed or unknown batches; with a UTF-8 byte-order
// mark first when bom is set.
func (r *StatusReport) WriteCSV(w io.Writer, bom bool) error {
	var keys []*Key
	for _, ks := range r.Keys {
		if ks.Err == nil {
			keys = append(keys, ks.Key)
		}
	}
	o := CSVOptions{BOM: bom}
	for _, n := range r.Notices {
		o.Batches = append(o.Batches, n.Batches...)
	}
	return o.Write(w, keys)
}
