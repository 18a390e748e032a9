package ui

import (
	"strings"
	"testing"
)

// TestWidePanesUseTheirWidth (F10): at 160 and 200 columns a long name
// shows whole rather than cut to 16 cells beside empty columns, and an
// unlabelled key shows whole in the list; at 80 columns both are still
// shortened to fit.
func TestWidePanesUseTheirWidth(t *testing.T) {
	const long = "Maximilian Alexander Weatherby-Smythe"
	st := fixtureState()
	st.Keys[0].Recipients[4].Name = long // unread
	st.Keys[3].Key = "WAITkey0000000000000000000000000000000000000="
	for _, size := range [][2]int{{160, 48}, {200, 60}} {
		v := loaded(&fakeEngine{state: st}, size[0], size[1]).View()
		if !strings.Contains(v, long) || !strings.Contains(v, st.Keys[3].Key) {
			t.Fatalf("%v: the name or the key is cut:\n%s", size, v)
		}
	}
	v := loaded(&fakeEngine{state: st}, 80, 24).View()
	checkFits(t, v, 80, 24)
	if strings.Contains(v, long) {
		t.Fatalf("80 columns cannot hold the whole name beside its id:\n%s", v)
	}
}
