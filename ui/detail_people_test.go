package ui

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dingwatch/dingwatch/watch"
)

// A detail pane holds the people of the row it shows, and no earlier
// row's: thirty SSH sessions on a notice of 20,000 people changing four
// times a second cannot keep every audience they were ever shown.
func TestDetailPaneLetsEarlierAudiencesGo(t *testing.T) {
	var freed atomic.Bool
	d := newDetailPane(testCommon())
	d.SetSize(100, 30)
	for i := range 20 {
		unread := make([]watch.Person, 500)
		for j := range unread {
			unread[j] = watch.Person{Recipient: watch.Recipient{UserID: fmt.Sprintf("u%d", j), Name: fmt.Sprintf("P %d", j)}}
		}
		if i == 0 {
			runtime.SetFinalizer(&unread[0], func(*watch.Person) { freed.Store(true) })
		}
		r := row{keys: []*watch.Key{{Key: fmt.Sprintf("key%020d", i)}}, aud: &watch.Audience{Unread: unread}}
		d.setRow(r, uint64(i+1), true, "")
		d.setCommon(testCommon()) // a tick: lays out again
		if got := d.View(); got == "" {
			t.Fatal("nothing drawn")
		}
	}
	for range 100 {
		runtime.GC()
		if freed.Load() {
			return
		}
		time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
	}
	t.Fatal("the first row's people are still held after 19 other rows were shown")
}

// A read time stands a space apart from the id, at every width, however
// long the name and id (tester G4: "u001earlier").
func TestPersonLineKeepsTheTimeApart(t *testing.T) {
	d := newDetailPane(testCommon())
	items := []personItem{
		{mark: "✓", name: "␛[2J␛[31mRED and more", id: "u001", right: "earlier"},
		{mark: "✓", name: "P", id: "a-very-long-user-id-0123456789", right: "11-26 13:19", clock: true},
	}
	for width := 20; width <= 120; width++ {
		cols := columnsFor(items, width)
		for _, p := range items {
			line := d.personLine(p, cols)
			if stringWidth(line) > width {
				t.Fatalf("width %d: %q is %d wide", width, line, stringWidth(line))
			}
			tail := p.right
			if cols.clock && strings.Contains(tail, ":") {
				tail = tail[len(tail)-5:]
			}
			i := strings.LastIndex(line, tail[:3]) // the time may be cut short (…)
			if i < 1 || line[i-1] != ' ' {
				t.Fatalf("width %d: %q runs the time into the id", width, line)
			}
		}
	}
}

// Short of lines, every section keeps its title (with its count) before
// Unread shows a second name: at 60x18 a notice's "Read (48)" vanished
// while Unread showed two names (tester G3).
func TestShortPaneKeepsEverySectionsTitle(t *testing.T) {
	people := func(n int) section { return section{n: n, at: func(int) personItem { return personItem{} }} }
	for avail := 2; avail <= 12; avail++ {
		secs := []section{people(12), people(20), people(20), people(48)}
		stack(secs, avail)
		used, titled := 0, 0
		for _, s := range secs {
			used += s.rows
			if s.rows > 0 {
				titled++
			}
		}
		if used > avail {
			t.Fatalf("%d lines: %d used", avail, used)
		}
		if want := min(len(secs), avail-1); titled < want {
			t.Fatalf("%d lines: %d sections titled, want %d (rows %v)", avail, titled, want, []int{secs[0].rows, secs[1].rows, secs[2].rows, secs[3].rows})
		}
		if secs[0].rows < min(avail, 2) {
			t.Fatalf("%d lines: Unread has %d", avail, secs[0].rows)
		}
	}
}
