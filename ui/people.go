package ui

import (
	"cmp"
	"slices"

	"github.com/dingwatch/dingwatch/watch"
)

// audienceOf merges the people of keys, Unread in the reader's collation.
func audienceOf(keys []*watch.Key) watch.Audience {
	a := watch.AudienceOf(keys)
	sortPeople(a.Unread)
	return a
}

// sortPeople orders people by name as a reader of their language expects.
// TEMPORARY: by code point until watch.SortPeople lands.
func sortPeople(ps []watch.Person) {
	slices.SortStableFunc(ps, func(a, b watch.Person) int {
		return cmp.Compare(personName(a.Name, a.UserID), personName(b.Name, b.UserID))
	})
}

// undeliveredOf are the people of a notice's failed and unknown batches,
// each with their batch's state (Person.Batch).
// TEMPORARY: worked out here until Audience.Undelivered lands.
func undeliveredOf(n *watch.Notice, keys []*watch.Key) []watch.Person {
	if n == nil {
		return nil
	}
	var out []watch.Person
	for _, b := range n.Batches {
		if b.Status != watch.BatchFailed && b.Status != watch.BatchUnknown {
			continue
		}
		for _, id := range b.UserIDs {
			out = append(out, watch.Person{Recipient: watch.Recipient{UserID: id}, Key: b.Status})
		}
	}
	return out
}

// batchOf is the state of an undelivered person's batch ("failed",
// "unknown").
func batchOf(p watch.Person) string { return p.Key }

// warningTexts are the snapshot's warnings as lines to show.
func warningTexts(s *watch.Snapshot) []string { return s.Warnings }
