package watch

import (
	"fmt"
	"slices"
	"testing"

	"golang.org/x/text/language"
)

func names(people []Person) []string {
	var out []string
	for _, p := range people {
		out = append(out, p.Display())
	}
	return out
}

func named(ns ...string) []Person {
	var out []Person
	for i, n := range ns {
		out = append(out, Person{Recipient: Recipient{UserID: "u" + string(rune('a'+i)), Name: n}})
	}
	return out
}

func TestCollationOrder(t *testing.T) {
	cases := []struct {
		name string
		in   []Person
		want []string
	}{
		{"Chinese by pinyin: hú lín wáng zhào", named("林", "王", "胡", "赵"), []string{"胡", "林", "王", "赵"}},
		{"Latin alphabetically, whatever the case, before Chinese", named("张伟", "bob", "Alice", "李娜"), []string{"Alice", "bob", "李娜", "张伟"}},
		{"no name: the userId stands in", []Person{{Recipient: Recipient{UserID: "zz9"}}, {Recipient: Recipient{UserID: "x", Name: "王芳"}}, {Recipient: Recipient{UserID: "aa1"}}},
			[]string{"aa1", "zz9", "王芳"}},
		{"same name: by userId", []Person{{Recipient: Recipient{UserID: "2", Name: "李娜"}}, {Recipient: Recipient{UserID: "1", Name: "李娜"}}}, []string{"李娜", "李娜"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := slices.Clone(c.in)
			SortPeople(got)
			if !slices.Equal(names(got), c.want) {
				t.Fatalf("SortPeople %v, want %v", names(got), c.want)
			}
			byCompare := slices.Clone(c.in)
			slices.SortFunc(byCompare, ComparePeople)
			if !slices.Equal(byCompare, got) {
				t.Fatalf("ComparePeople orders %v, SortPeople %v", byCompare, got)
			}
		})
	}
	same := []Person{{Recipient: Recipient{UserID: "2", Name: "李娜"}}, {Recipient: Recipient{UserID: "1", Name: "李娜"}}}
	SortPeople(same)
	if same[0].UserID != "1" {
		t.Fatal("equal names must fall back to the userId")
	}
	// Another language orders differently: Swedish puts ö after z.
	sv := named("öst", "zeta")
	NewCollation(language.Swedish).Sort(sv)
	if !slices.Equal(names(sv), []string{"zeta", "öst"}) {
		t.Fatalf("swedish %v", names(sv))
	}
}

func TestAudienceOrdersNamesAndKnowsUnknownTimes(t *testing.T) {
	k := &Key{Key: "k", Recipients: []Recipient{
		{UserID: "1", Name: "赵"}, {UserID: "2", Name: "林"}, {UserID: "3"}, {UserID: "4", Name: "胡"},
		{UserID: "5", Name: "王", Read: true, FirstSeenRead: t0.Add(2 * 60e9)},
		{UserID: "6", Name: "李", Read: true}, // read before dingwatch first asked
		{UserID: "7", Name: "Amy", Read: true, FirstSeenRead: t0.Add(60e9)},
	}}
	a := AudienceOf([]*Key{k})
	if !slices.Equal(names(a.Unread), []string{"3", "胡", "林", "赵"}) {
		t.Fatalf("unread %v", names(a.Unread))
	}
	if !slices.Equal(names(a.Read), []string{"李", "Amy", "王"}) || a.UnknownReadTimes() != 1 {
		t.Fatalf("read %v unknown %d", names(a.Read), a.UnknownReadTimes())
	}
	if got := a.Timeline(t0, t0.Add(2*60e9), 3); !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("timeline counts only known times: %v", got)
	}
	if _, ok := a.TimeTo(0.4, t0); ok || !a.Reached(0.4) {
		t.Fatal("40% reached, but one reader's time is unknown: the moment is unknown")
	}
	// A person read on two keys: a known time on one, unknown on the other: unknown.
	r1 := &Key{Key: "r1", Recipients: []Recipient{{UserID: "x", Read: true}}}
	r2 := &Key{Key: "r2", Recipients: []Recipient{{UserID: "x", Read: true, FirstSeenRead: t0}}}
	for _, order := range [][]*Key{{r1, r2}, {r2, r1}} {
		if a := AudienceOf(order); a.Total() != 1 || a.UnknownReadTimes() != 1 {
			t.Fatalf("merged %+v", a.Read)
		}
	}
}

// BenchmarkAudienceOf20000 merges a 20,000-person notice (1,000 keys),
// names sorted by collation: what a view pays per notice per snapshot.
func BenchmarkAudienceOf20000(b *testing.B) {
	var keys []*Key
	for i := range 1000 {
		k := &Key{Key: fmt.Sprintf("k%04d", i)}
		for j := range 20 {
			n := i*20 + j
			k.Recipients = append(k.Recipients, Recipient{UserID: fmt.Sprintf("u%05d", n), Name: string(rune(0x4e00+n%20000)) + string(rune(0x4e00+(n*7)%20000)), Read: n%3 == 0})
		}
		keys = append(keys, k)
	}
	for b.Loop() {
		AudienceOf(keys)
	}
}

// The engine's collation, keeping names' keys between sorts, orders
// people exactly as the plain one does, sort after sort, also once its
// cache has started again.
func TestCachingCollationSortsAsThePlainOne(t *testing.T) {
	names := []string{"赵", "王", "林", "胡", "Zoe", "anna", "Émile", "", "王", "z", "鏡", "ß", "a\u0301"}
	var people []Person
	for i := range cacheFrom + 500 { // big enough to be cached
		people = append(people, Person{Recipient: Recipient{UserID: fmt.Sprintf("u%05d", (i*7)%(cacheFrom+500)), Name: names[i%len(names)] + fmt.Sprint(i%5)}})
	}
	c := newCachingCollation()
	for round := range 3 {
		if round == 2 {
			for i := range keyCacheSize - len(c.keys) + 1 { // fill the cache so it starts again
				c.key(fmt.Sprint("filler", i), true)
			}
		}
		want, got := slices.Clone(people), slices.Clone(people)
		DefaultCollation().Sort(want)
		c.Sort(got)
		if !slices.Equal(want, got) {
			t.Fatalf("round %d: caching collation orders differently", round)
		}
		if len(c.keys) == 0 || len(c.keys) > keyCacheSize {
			t.Fatalf("round %d: %d keys cached", round, len(c.keys))
		}
		slices.Reverse(people)
	}
}
