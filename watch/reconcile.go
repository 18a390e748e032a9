package watch

import "time"

// Reconciling while push is healthy (Policy.Reconcile): reads arrive as
// pushed events, so polling only looks for the events that were lost and
// for what a pushed event cannot tell (who else the key went to, whether
// it failed). Each key is asked:
//
//   - once at its batch's sample: the first key of each batch (the keys of
//     one notice and round, or those added at the same moment) is asked at
//     once, which checks the key, the robot and the permission while the
//     user is watching; the batch's other keys wait, except those whose
//     recipients are unknown (pasted, not sent by dingwatch), asked at once
//     too when the budget holds their first look beside every key's
//     checkpoint and last look (a handful of pasted keys, or no budget);
//   - at its checkpoint, ReconcileAfter after its send (its first look
//     for every key but the sample), from what the budget has left after
//     the last-look reserve;
//   - at its last look, lastLook before its window closes, from that
//     reserve.
//
// So while push is healthy a key costs at most two calls in its window
// (three for a batch's sample, or a first look the budget had room for), and a read whose event was lost is shown
// by the key's checkpoint (reads made before it) or at the latest by its
// last look. Within a budget the last looks come first: a notice of n live
// keys gets every checkpoint when the day's budget holds 2n calls, every
// last look when it holds n, and the first calls of the budget's last looks
// otherwise (the reserve of refresh.go). When the budget cannot ask every
// key, the keys with the most recipients known unread are asked first: a
// read whose event was lost can only hide there. A user's refresh asks at once,
// as without push. Failing keys, and keys whose first try failed or found
// nothing yet, follow the normal schedule.

// batchID tells apart the keys sent or added together: a notice's round,
// or for keys on their own the moment their window began.
type batchID struct {
	notice string
	round  int
	start  int64 // Key.Start in Unix nanoseconds, for keys on their own
}

func batchOf(k *Key) batchID {
	if k.Notice != "" {
		return batchID{notice: k.Notice, round: k.Round}
	}
	return batchID{start: k.Start().UnixNano()}
}

// triedBatches are the batches of s with a key already asked: their
// sample was taken.
func triedBatches(s *State) map[batchID]bool {
	tried := map[batchID]bool{}
	for _, k := range s.Keys {
		if !k.LastTry.IsZero() {
			tried[batchOf(k)] = true
		}
	}
	return tried
}

// reconcileAt is when a key read by push is next asked: ReconcileAfter
// after its send (its checkpoint), then a last look before its window
// closes; ok is false once both were taken.
func reconcileAt(k *Key) (time.Time, bool) {
	for _, at := range []time.Time{k.Start().Add(ReconcileAfter), k.Start().Add(Window - lastLook)} {
		if k.LastTry.Before(at) {
			return at, true
		}
	}
	return time.Time{}, false
}

// reconcileCalls is how many calls k still needs to reconcile: its
// checkpoint and its last look, those not taken yet.
func reconcileCalls(k *Key) int {
	n := 0
	for _, at := range []time.Time{k.Start().Add(ReconcileAfter), k.Start().Add(Window - lastLook)} {
		if k.LastTry.Before(at) {
			n++
		}
	}
	return n
}

// unreadOf is how many of k's known recipients have not read: a key
// with more of them is likelier to hide a read whose event was lost.
func unreadOf(k *Key) int {
	read, total := k.Counts()
	return total - read
}

// isLastLook reports whether a call of k at now is its last look.
func isLastLook(k *Key, now time.Time) bool {
	return !now.Before(k.Start().Add(Window - lastLook))
}

// settled reports whether k needs no more calls: final, and if everyone
// read, DingTalk has answered once (reads pushed before any answer do not
// say who else the key went to); or delivered to nobody (nobody can read
// it, and asking would only spend calls).
func settled(k *Key) bool {
	if k.Expired || k.Unknown || k.Recalled() || k.DeliveredToNobody() {
		return true
	}
	return k.Final() && !k.LastOK.IsZero()
}
