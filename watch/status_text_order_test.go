package watch

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestStatusTextSortsPeopleAndShowsTheLabel: each key's Unread list is in
// the shared name order (SortPeople, as the summary, CSV and dashboard),
// not DingTalk's answer order (F20); a very long name does not push every
// row's userId right; and a lone key's label shows in text and JSON (F6).
func TestStatusTextSortsPeopleAndShowsTheLabel(t *testing.T) {
	long := strings.Repeat("很长的名字", 17) // 85 characters, 170 cells
	k := &Key{Key: "Kna29Ra5pdJznx1ghavbumkQKwDzgfxZLapw55G7x0Q=", Label: "Weekly 周会", SendStatus: "SUCCESS",
		Recipients: []Recipient{{UserID: "u1", Name: "赵六"}, {UserID: "u2", Name: "Zed"}, {UserID: "u3", Name: long},
			{UserID: "u4", Name: "Ann"}, {UserID: "u5", Name: "王芳"}, {UserID: "u6", Name: "Bob", Read: true}}}
	rep := NewStatusReport(&State{Keys: []*Key{k}}, []KeyStatus{{Key: k}}, t0)
	var out bytes.Buffer
	if err := rep.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(strings.SplitN(text, "\n", 2)[0], `label "Weekly 周会"`) {
		t.Fatalf("the key's label is not on its line:\n%s", text)
	}
	want := []Person{}
	for _, r := range k.Recipients[:5] {
		want = append(want, Person{Recipient: r})
	}
	SortPeople(want)
	unread := text[strings.Index(text, "Unread (5)"):]
	last := -1
	for _, p := range want {
		i := strings.Index(unread, p.Name+" ")
		if i < last {
			t.Fatalf("Unread is not in SortPeople's order (%v):\n%s", want, unread)
		}
		last = i
	}
	if strings.Index(unread, "Ann") > strings.Index(unread, "Zed") {
		t.Fatalf("Ann after Zed:\n%s", unread)
	}
	for _, row := range strings.Split(text, "\n") {
		if strings.HasSuffix(row, "  u2") || strings.HasSuffix(row, "  u4") {
			if w := ansi.StringWidth(row); w > 4+nameColumn+2+2 {
				t.Fatalf("a short name's row is %d cells wide: the long name widened every row:\n%s", w, text)
			}
		}
	}
	if !strings.Contains(text, long+"  u3") {
		t.Fatalf("the long name must be whole, its userId after it:\n%s", text)
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct{ Messages []struct{ Label string } }
	if err := json.Unmarshal(js.Bytes(), &got); err != nil || len(got.Messages) != 1 || got.Messages[0].Label != "Weekly 周会" {
		t.Fatalf("JSON label: %+v %v\n%s", got, err, js.String())
	}
}
