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
	// keys, when not nil, keeps each name's collation key between sorts
	// (newCachingCollation): the same 20,000 names are sorted again at every
	// answer for their notice.
	keys map[string][]byte
}

// keyCacheSize bounds a caching Collation: past it the cache starts again
// (a key is about 30 bytes; 200,000 names are some 10 MB).
const keyCacheSize = 200_000

// cacheFrom is the fewest people a caching Collation keeps keys for: a
// notice of 20,000 merged at every answer gains, while a first merge of a
// small one would only pay for filling the cache.
const cacheFrom = 2_000

// newCachingCollation is DefaultCollation keeping names' keys between
// sorts; like any Collation, for one goroutine at a time.
func newCachingCollation() *Collation {
	c := DefaultCollation()
	c.keys = map[string][]byte{}
	return c
}

// key is name's collation key: from the cache, or made (and cached, when
// caching). A key not cached is valid until the buffer is reset.
func (c *Collation) key(name string, cache bool) []byte {
	if c.keys == nil || !cache {
		return c.c.KeyFromString(&c.buf, name)
	}
	if k, ok := c.keys[name]; ok {
		return k
	}
	if len(c.keys) >= keyCacheSize {
		clear(c.keys)
	}
	k := slices.Clone(c.c.KeyFromString(&c.buf, name))
	c.buf.Reset()
	c.keys[name] = k
	return k
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
		// what the buffer held when it was made, or a cached copy.
		keys[i] = c.key(p.Display(), len(people) >= cacheFrom)
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
