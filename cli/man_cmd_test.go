package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// manPages reads the pages in dir, without the .TH line (it holds the
// month they were made).
func manPages(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, ".TH ") })
		pages[e.Name()] = strings.Join(lines, "\n")
	}
	return pages
}

func TestManPagesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	_, errOut, code := runBinary(t, []string{"HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir()}, "", "man", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	fresh, committed := manPages(t, dir), manPages(t, "../docs/man")
	for _, want := range []string{"dingwatch.1", "dingwatch-status.1", "dingwatch-send.1", "dingwatch-config.1"} {
		if _, ok := fresh[want]; !ok {
			t.Fatalf("no %s among %v", want, fresh)
		}
	}
	for name, page := range fresh {
		if committed[name] != page {
			t.Errorf("docs/man/%s is not current: run scripts/gen-man.sh", name)
		}
	}
	for name := range committed {
		if _, ok := fresh[name]; !ok {
			t.Errorf("docs/man/%s documents no command: run scripts/gen-man.sh", name)
		}
	}
}
