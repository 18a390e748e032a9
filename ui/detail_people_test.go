package ui

import (
	"fmt"
	"runtime"
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
