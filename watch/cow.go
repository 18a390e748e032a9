package watch

import "slices"

// The engine's state is copy-on-write: a *Key or *Notice, once in the
// state, is never changed again. A change puts a changed copy in its
// place, so a Snapshot shares every key and notice that did not change
// and a view may cache what it drew by pointer. The helpers below are the
// only code that writes e.state's keys and notices; they keep an index by
// key and by notice ID so that lookups do not scan the state.

// Clone is a copy of n that shares nothing that can change.
func (n *Notice) Clone() *Notice {
	c := *n
	c.Rounds = slices.Clone(n.Rounds)
	c.Batches = slices.Clone(n.Batches)
	return &c
}

// seal marks k as in the state, never to change again: what is worked
// out from it can be kept with it (its counts, asked by every plan and
// every view).
func seal(k *Key) {
	if k.counted.ok {
		return // sealed already, perhaps shared: never written again
	}
	read, total := k.Counts()
	k.counted = keyCounts{read: read, total: total, ok: true}
}

// reindexLocked rebuilds the indexes after e.state was replaced.
func (e *Engine) reindexLocked() {
	e.pos = make(map[string]int, len(e.state.Keys))
	for i, k := range e.state.Keys {
		e.pos[k.Key] = i
		seal(k)
	}
	e.npos = make(map[string]int, len(e.state.Notices))
	for i, n := range e.state.Notices {
		e.npos[n.ID] = i
	}
}

// keyLocked is the watched key named key, or nil.
func (e *Engine) keyLocked(key string) *Key {
	if i, ok := e.pos[key]; ok {
		return e.state.Keys[i]
	}
	return nil
}

// noticeLocked is notice id, or nil.
func (e *Engine) noticeLocked(id string) *Notice {
	if i, ok := e.npos[id]; ok {
		return e.state.Notices[i]
	}
	return nil
}

// addKeyLocked appends k (owned by the state from now on) with a new
// generation: a removed and re-added key is a new one.
func (e *Engine) addKeyLocked(k *Key) {
	seal(k)
	e.pos[k.Key] = len(e.state.Keys)
	e.state.Keys = append(e.state.Keys, k)
	e.gens[k.Key] = e.newGen()
	e.touchNoticeLocked(k.Notice)
}

// putKeyLocked replaces the key of the same name with k, a new copy.
func (e *Engine) putKeyLocked(k *Key) {
	seal(k)
	i := e.pos[k.Key]
	if old := e.state.Keys[i]; old.Notice != k.Notice {
		e.touchNoticeLocked(old.Notice)
	}
	e.state.Keys[i] = k
	e.touchNoticeLocked(k.Notice)
}

// editKeyLocked changes a copy of key with fn and puts it in its place.
func (e *Engine) editKeyLocked(key string, fn func(*Key)) error {
	k := e.keyLocked(key)
	if k == nil {
		return errNoKey(key)
	}
	c := k.Clone()
	fn(c)
	e.putKeyLocked(c)
	return nil
}

// removeKeysLocked drops the named keys in one pass and returns how many
// were watched. A name that is no watched key but a notice's ID drops that
// notice and every key of it, even a notice that has no key because none
// of its batches was sent (NothingSent); changed reports whether anything
// was dropped.
func (e *Engine) removeKeysLocked(names []string) (removed int, changed bool) {
	drop := make(map[string]bool, len(names))
	notices := map[string]bool{}
	for _, n := range names {
		if _, ok := e.pos[n]; ok {
			drop[n] = true
		} else if _, ok := e.npos[n]; ok {
			notices[n] = true
		}
	}
	if len(notices) > 0 {
		for _, k := range e.state.Keys {
			if notices[k.Notice] {
				drop[k.Key] = true
			}
		}
	}
	if len(drop) == 0 && len(notices) == 0 {
		return 0, false
	}
	kept := make([]*Key, 0, len(e.state.Keys)-len(drop))
	for _, k := range e.state.Keys {
		if drop[k.Key] {
			delete(e.gens, k.Key)
			delete(e.forced, k.Key)
			e.touchNoticeLocked(k.Notice)
			continue
		}
		kept = append(kept, k)
	}
	e.state.Keys = kept
	e.dropEmptyNoticesLocked(notices)
	e.reindexLocked()
	return len(drop), true
}

// addNoticeLocked appends n (owned by the state from now on).
func (e *Engine) addNoticeLocked(n *Notice) {
	e.npos[n.ID] = len(e.state.Notices)
	e.state.Notices = append(e.state.Notices, n)
	e.touchNoticeLocked(n.ID)
}

// editNoticeLocked changes a copy of notice id with fn and puts it in
// its place; it does nothing when there is no such notice.
func (e *Engine) editNoticeLocked(id string, fn func(*Notice)) {
	i, ok := e.npos[id]
	if !ok {
		return
	}
	c := e.state.Notices[i].Clone()
	fn(c)
	e.state.Notices[i] = c
	e.touchNoticeLocked(id)
}

// dropEmptyNoticesLocked forgets notices without keys, except those that
// never had one (Notice.NothingSent: every batch failed or has an unknown
// outcome), whose people still count, unless they are in also (notices
// the user removed by ID).
func (e *Engine) dropEmptyNoticesLocked(also map[string]bool) {
	used := make(map[string]bool, len(e.state.Notices))
	for _, k := range e.state.Keys {
		if k.Notice != "" {
			used[k.Notice] = true
		}
	}
	for _, n := range e.state.Notices {
		if n.NothingSent() && !also[n.ID] {
			used[n.ID] = true
		}
	}
	if !slices.ContainsFunc(e.state.Notices, func(n *Notice) bool { return !used[n.ID] }) {
		return
	}
	kept := make([]*Notice, 0, len(used))
	for _, n := range e.state.Notices {
		if used[n.ID] {
			kept = append(kept, n)
		} else {
			delete(e.noticeVer, n.ID)
		}
	}
	e.state.Notices = kept
	e.npos = make(map[string]int, len(kept))
	for i, n := range kept {
		e.npos[n.ID] = i
	}
}

// touchNoticeLocked says notice id (or a key of it) changed: what views
// derived from it, such as its audience, must be worked out again.
func (e *Engine) touchNoticeLocked(id string) {
	if id != "" {
		e.nseq++
		e.noticeVer[id] = e.nseq
	}
}
