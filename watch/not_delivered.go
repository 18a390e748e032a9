package watch

import (
	"fmt"
	"slices"
	"strings"
)

// DeliveredToNobody reports whether DingTalk delivered the notice (or
// group of keys) to none of its people: someone was not delivered to
// (NotDelivered), and nobody was reached or may have it (no Read, Unread
// or Unknown). The people of failed batches may be there too; they were
// not sent it either. Every view says so as a problem: the dashboard's
// list marks it "nobody" with "!", and `dingwatch status` exits 1.
func (a Audience) DeliveredToNobody() bool {
	return len(a.NotDelivered) > 0 && len(a.Read)+len(a.Unread)+len(a.Unknown) == 0
}

// NotDeliveredWhy is how many people DingTalk did not deliver to for each
// reason it gave (Person.Reason: "invalid userId", "flow-controlled by
// DingTalk", "filtered by DingTalk"), the commonest first, ties by
// reason: "1997 invalid userId, 3 flow-controlled by DingTalk"; "" when
// NotDelivered is empty. Reasons are as saved (raw): clean them for a
// terminal.
func (a Audience) NotDeliveredWhy() string {
	count := map[string]int{}
	var reasons []string
	for _, p := range a.NotDelivered {
		r := p.Reason
		if r == "" {
			r = "no reason given"
		}
		if count[r] == 0 {
			reasons = append(reasons, r)
		}
		count[r]++
	}
	slices.SortFunc(reasons, func(x, y string) int {
		if count[x] != count[y] {
			return count[y] - count[x]
		}
		return strings.Compare(x, y)
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", count[r], r)
	}
	return strings.Join(parts, ", ")
}

// DeliveredToNobody reports whether a send's sent batches reached nobody:
// at least one batch was sent, and DingTalk did not deliver to any userId
// of them (every one invalid, flow-controlled or filtered). The people of
// failed or unknown batches do not count here. Such a send is a failure
// the user must see (`dingwatch send` exits 1, the dashboard says it as an
// error); one that reached some people is not, so that `send || retry`
// never sends it twice to those it reached.
func (r SendReport) DeliveredToNobody() bool {
	lost := make(map[string]bool, len(r.NotDelivered))
	for _, u := range r.NotDelivered {
		lost[u.UserID] = true
	}
	sent := false
	for _, b := range r.Batches {
		if b.Status != BatchSent {
			continue
		}
		sent = true
		for _, id := range b.UserIDs {
			if !lost[id] {
				return false
			}
		}
	}
	return sent && len(lost) > 0
}

// NotDeliveredWhy is how many userIds of the send DingTalk did not deliver
// to for each reason it gave, as Audience.NotDeliveredWhy says it.
func (r SendReport) NotDeliveredWhy() string {
	a := Audience{NotDelivered: make([]Person, len(r.NotDelivered))}
	for i, u := range r.NotDelivered {
		a.NotDelivered[i] = Person{Recipient: Recipient{UserID: u.UserID}, Reason: u.Reason}
	}
	return a.NotDeliveredWhy()
}
