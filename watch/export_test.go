package watch

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/internal/safetext/safetexttest"
)

func readCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, data)
	}
	return rows
}

// Every hostile string, wherever it sits (key, userId, name, reason, a
// batch's error), comes out inert and cannot be read as a formula.
func TestCSVWithHostileTextIsInertAndFormulaSafe(t *testing.T) {
	for name, bad := range safetexttest.Hostile {
		t.Run(name, func(t *testing.T) {
			k := &Key{Key: bad, Recipients: []Recipient{
				{UserID: bad, Name: bad, Read: true, FirstSeenRead: t0},
				{UserID: "u2", Name: bad},
			}, NotDelivered: []Undelivered{{UserID: bad + "x", Reason: bad}}}
			batches := []Batch{{Status: BatchFailed, UserIDs: []string{"f-" + bad}, Error: bad},
				{Status: BatchUnknown, UserIDs: []string{"u-" + bad}, Key: bad, Error: bad}}
			var b bytes.Buffer
			if err := (CSVOptions{Notices: []*Notice{{ID: "n", Batches: batches}}}).Write(&b, []*Key{k}); err != nil {
				t.Fatal(err)
			}
			safetexttest.AssertInert(t, "CSV", b.String(), true)
			rows := readCSV(t, b.Bytes())
			if len(rows) != 6 {
				t.Fatalf("%d rows, want header + 2 recipients + 1 not delivered + 2 unsent:\n%s", len(rows), b.String())
			}
			for _, row := range rows {
				if len(row) != len(CSVHeader) {
					t.Fatalf("row of %d cells: %q", len(row), row)
				}
				for _, cell := range row {
					safetexttest.AssertInert(t, "CSV cell", cell, false)
					if r, _ := utf8.DecodeRuneInString(cell); strings.ContainsRune("=+-@＝＋－＠\t\r ", r) {
						t.Fatalf("cell %q can be read as a formula", cell)
					}
				}
			}
		})
	}
}

func TestCSVByteOrderMark(t *testing.T) {
	k := &Key{Key: "k", Recipients: []Recipient{{UserID: "u", Name: "王芳"}}}
	for _, bom := range []bool{false, true} {
		var b bytes.Buffer
		if err := (CSVOptions{BOM: bom}).Write(&b, []*Key{k}); err != nil {
			t.Fatal(err)
		}
		if got := bytes.HasPrefix(b.Bytes(), []byte{0xEF, 0xBB, 0xBF}); got != bom {
			t.Fatalf("BOM %v: starts with %q", bom, b.Bytes()[:6])
		}
		if rows := readCSV(t, bytes.TrimPrefix(b.Bytes(), []byte{0xEF, 0xBB, 0xBF})); rows[0][0] != CSVHeader[0] || rows[1][2] != "王芳" {
			t.Fatalf("rows %q", rows)
		}
	}
}

// The CSV holds everyone the notice was meant for: people of failed and
// unknown batches with their batch's state, and firstSeenRead only where
// a read time was observed.
func TestCSVListsEveryoneWithOnlyObservedTimes(t *testing.T) {
	k := &Key{Key: "k1", AddedAt: t0, SentAt: t0, Notice: "n1"}
	k.ApplyAnswer(dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{
		{UserID: "early", Name: "林", Read: true}, {UserID: "late", Name: "胡"}}}, t0.Add(time.Minute))
	k.ApplyAnswer(dingtalk.ReadStatus{SendStatus: "SUCCESS", Recipients: []dingtalk.Recipient{
		{UserID: "early", Name: "林", Read: true}, {UserID: "late", Name: "胡", Read: true}}}, t0.Add(5*time.Minute))
	batches := []Batch{
		{Status: BatchSent, Key: "k1", UserIDs: []string{"early", "late"}},
		{Status: BatchFailed, UserIDs: []string{"f1", "f2"}, Error: "DingTalk refused"},
		{Status: BatchUnknown, UserIDs: []string{"u1"}, Error: "timeout"},
	}
	var b bytes.Buffer
	if err := (CSVOptions{Notices: []*Notice{{ID: "n1", Batches: batches}}}).Write(&b, []*Key{k}); err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CSVHeader,
		{"k1", "late", "胡", "READ", t0.Add(5 * time.Minute).Format(time.RFC3339), "sent", ""},
		{"k1", "early", "林", "READ", "", "sent", ""},
		{"", "f1", "", CSVNotSent, "", "failed", "DingTalk refused"},
		{"", "f2", "", CSVNotSent, "", "failed", "DingTalk refused"},
		{"", "u1", "", CSVUnknown, "", "unknown", "timeout"},
	}
	rows := readCSV(t, b.Bytes())
	if len(rows) != len(want) {
		t.Fatalf("rows:\n%s", b.String())
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Fatalf("row %d = %q, want %q", i, rows[i], want[i])
		}
	}
}

// Each notice's unsent people are matched against that notice's keys: a
// person another notice reached is still unsent for this one.
func TestCSVUnsentPerNotice(t *testing.T) {
	b := &Key{Key: "kb", Notice: "B", Recipients: []Recipient{{UserID: "x", Name: "X"}}}
	a := &Notice{ID: "A", Batches: []Batch{{Status: BatchFailed, UserIDs: []string{"x"}, Error: "refused"}}}
	var out bytes.Buffer
	if err := (CSVOptions{Notices: []*Notice{a, {ID: "B"}}}).Write(&out, []*Key{b}); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, out.Bytes())
	if len(rows) != 3 || rows[2][1] != "x" || rows[2][3] != CSVNotSent {
		t.Fatalf("rows %q", rows)
	}
}

// status --csv: the people of a notice's failed and unknown batches have
// rows with their batch's state, after the key's rows; the BOM when asked.
func TestStatusCSVListsUnsentPeople(t *testing.T) {
	k := &Key{Key: "k1", Notice: "n1", Recipients: []Recipient{{UserID: "r1", Name: "王芳"}}}
	saved := &State{Keys: []*Key{k}, Notices: []*Notice{{ID: "n1", Label: "All hands", Batches: []Batch{
		{Status: BatchFailed, UserIDs: []string{"f1"}, Error: "refused"},
		{Status: BatchUnknown, UserIDs: []string{"u1"}, Error: "timeout"},
		{Status: BatchSent, Key: "k1", UserIDs: []string{"r1"}}}}}}
	rep := NewStatusReport(saved, []KeyStatus{{Key: k}}, t0)
	var b bytes.Buffer
	if err := rep.WriteCSV(&b, true); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFF")) {
		t.Fatal("no BOM")
	}
	rows := readCSV(t, bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF")))
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[1]+":"+r[3]+":"+r[5])
	}
	if want := []string{"r1:UNREAD:sent", "f1:NOT_SENT:failed", "u1:UNKNOWN:unknown"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("rows %v, want %v", got, want)
	}
}
