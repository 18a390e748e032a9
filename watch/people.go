package watch

import (
	"bytes"
	"cmp"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Collation orders people's names as a reader of one language expects
// (golang.org/x/text/collate, CLDR data). It is not safe for use by
// several goroutines at once: make one per goroutine.
type Collation struct {
	c   *collate.Collator
	buf collate.Buffer
}

// NewCollation is the ordering of lang; language.Und is the root order.
// Digits compare as numbers, so userIds and names that count ("q2",
// "q10", "Person 9") come in counting order, not as strings.
func NewCollation(lang language.Tag) *Collation {
	return &Collation{c: collate.New(lang, collate.Numeric)}
}

// DefaultCollation is the ordering of names dingwatch uses unless told
// otherwise: Chinese, so Chinese names sort by pinyin (胡 hú, 林 lín, 王
// wáng, 赵 zhào) and Latin names alphabetically, before them.
func DefaultCollation() *Collation { return NewCollation(language.Chinese) }

// Compare orders a before b (-1), with b (0) or after (1): by the name
// shown for them (Display: the name, else the userId), then, for the same
// name, by userId and unionId so the order is total and stable.
func (c *Collation) Compare(a, b Person) int {
	if r := c.c.CompareString(a.Display(), b.Display()); r != 0 {
		return r
	}
	return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.UnionID, b.UnionID))
}

// Sort orders people by Compare, computing each collation key once and
// moving each person once.
func (c *Collation) Sort(people []Person) {
	if len(people) < 2 {
		return
	}
	keys := make([][]byte, len(people))
	for i, p := range people {
		// Keys stay valid while the buffer is not reset: each is a slice of
		// what the buffer held when it was made.
		keys[i] = c.c.KeyFromString(&c.buf, p.Display())
	}
	idx := make([]int, len(people))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(x, y int) int {
		if r := bytes.Compare(keys[x], keys[y]); r != 0 {
			return r
		}
		a, b := &people[x], &people[y]
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.UnionID, b.UnionID), cmp.Compare(x, y))
	})
	c.buf.Reset()
	permute(people, idx)
}

// permute puts people[idx[i]] at i.
func permute(people []Person, idx []int) {
	sorted := make([]Person, len(people))
	for i, j := range idx {
		sorted[i] = people[j]
	}
	copy(people, sorted)
}

// ComparePeople orders two people by name in the default collation
// (Chinese by pinyin, Latin alphabetically: see DefaultCollation), the order
// of every list of names dingwatch shows or exports. Sorting many people,
// use SortPeople: it is much cheaper than a sort calling this.
func ComparePeople(a, b Person) int { return DefaultCollation().Compare(a, b) }

// SortPeople orders people by name in the default collation (see
// ComparePeople).
func SortPeople(people []Person) { DefaultCollation().Sort(people) }
