package cli

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRecipientsFileSkipsLeadingBOM: a --to-file saved by Notepad or Excel
// starts with U+FEFF; it is not part of the first userId (F24).
func TestRecipientsFileSkipsLeadingBOM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "team.txt")
	if err := os.WriteFile(path, []byte("\ufeffp1\r\np2\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := recipients(nil, path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1", "p2"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
