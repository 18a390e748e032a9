package watch

import "io"

// utf8BOM is the byte-order mark that makes spreadsheet programs on
// Chinese Windows read a CSV file as UTF-8.
const utf8BOM = "\ufeff"

// WriteCSV writes one row per recipient of the keys that answered (see
// WriteCSV), preceded by a UTF-8 byte-order mark when bom is set.
func (r *StatusReport) WriteCSV(w io.Writer, bom bool) error {
	var keys []*Key
	for _, ks := range r.Keys {
		if ks.Err == nil {
			keys = append(keys, ks.Key)
		}
	}
	if bom {
		if _, err := io.WriteString(w, utf8BOM); err != nil {
			return err
		}
	}
	return WriteCSV(w, keys)
}
