package watch

import (
	"maps"
	"slices"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// Window is how long after sending DingTalk answers for a key.
const Window = 24 * time.Hour

// Recipient is one person a key's message went to, as dingwatch saw them.
type Recipient struct {
	// UserID is the person's userId in the organisation; "" for a reader
	// from outside it, known only by UnionID (a pushed read event).
	UserID string `json:"userId"`
	// UnionID is the person's unionId when DingTalk gave one (pushed
	// events); usually "".
	UnionID string `json:"unionId,omitempty"`
	Name    string `json:"name"`
	Read    bool   `json:"read"`
	// FirstSeenRead is an observed read time, or zero when none is known:
	// DingTalk's own read time (readTimestamp, a pushed event's
	// operatTime) when it gave one, else the time of the answer in which
	// dingwatch saw the person go from unread to read. A read already
	// present at a key's first answer has no time: it happened at some
	// unknown moment before. Always zero while unread.
	FirstSeenRead time.Time `json:"firstSeenRead,omitzero"`
}

// ID is how the recipient is told apart from the others of a notice: the
// userId, or "unionId:" and the unionId for a reader without userId.
func (r Recipient) ID() string {
	if r.UserID == "" && r.UnionID != "" {
		return "unionId:" + r.UnionID
	}
	return r.UserID
}

// Display is what to call the recipient: the name, or the userId (then
// the unionId) while DingTalk has given no name. Raw text: clean it for
// output (safetext).
func (r Recipient) Display() string {
	switch {
	case r.Name != "":
		return r.Name
	case r.UserID != "":
		return r.UserID
	}
	return r.UnionID
}

// KeyError is the last failure of a key's query, kept for display.
type KeyError struct {
	Code       string    `json:"code"`
	HTTPStatus int       `json:"httpStatus,omitempty"`
	Message    string    `json:"message"`
	Hint       string    `json:"hint"`
	RequestID  string    `json:"requestId,omitempty"`
	At         time.Time `json:"at"`
}

// Undelivered is a recipient DingTalk did not deliver to, with why.
type Undelivered struct {
	UserID string `json:"userId"`
	Reason string `json:"reason"`
}

// Key is one watched processQueryKey.
type Key struct {
	Key        string    `json:"key"`
	RobotCode  string    `json:"robotCode"`
	Label      string    `json:"label,omitempty"`
	Notice     string    `json:"notice,omitempty"` // Notice.ID, or "" when on its own
	Round      int       `json:"round,omitempty"`  // 0: the first send; 1…: reminders
	AddedAt    time.Time `json:"addedAt"`
	SentAt     time.Time `json:"sentAt,omitzero"` // zero when unknown (a pasted key)
	SendStatus string    `json:"sendStatus,omitempty"`

	Recipients   []Recipient   `json:"recipients,omitempty"`
	NotDelivered []Undelivered `json:"notDelivered,omitempty"`

	LastOK time.Time `json:"lastOK,omitzero"` // last good answer
	// FirstOK is the first good answer: a reader it already showed read,
	// with no time given, read at some moment before it (see ReadBy).
	// Zero until then, and for keys saved by an older dingwatch.
	FirstOK    time.Time `json:"firstOK,omitzero"`
	LastChange time.Time `json:"lastChange,omitzero"` // last time a read was first seen
	LastTry    time.Time `json:"lastTry,omitzero"`
	Polls      int       `json:"polls,omitempty"`
	Failures   int       `json:"failures,omitempty"` // in a row
	Err        *KeyError `json:"error,omitempty"`
	// Expired is set while the key's 24-hour window is over: confirmed by
	// DingTalk (ExpiryConfirmed), or by the local clock past SentAt+Window,
	// which ExpireIfPast derives again on every poll, so a clock that jumped
	// ahead and came back expires nothing for good.
	Expired bool `json:"expired,omitempty"`
	// ExpiryConfirmed is set when DingTalk's own answer said the key's data
	// expired (processQueryKey.expireTime after data was seen, or for a key
	// whose send time is unknown).
	ExpiryConfirmed bool `json:"expiryConfirmed,omitempty"`
	// RecalledAt is when the message was recalled, by dingwatch or as
	// DingTalk reported (a pushed event); zero when not recalled or when the
	// recall was only seen in a readStatus answer (see Recalled).
	RecalledAt time.Time `json:"recalledAt,omitzero"`
	// Unknown marks a sent batch whose outcome is unknown: no key came back.
	Unknown bool `json:"unknown,omitempty"`

	// counted caches Counts once the key is in the engine's state, where
	// it never changes again (copy-on-write); Clone drops it.
	counted keyCounts
}

// keyCounts is a cached Counts; ok is false when not cached.
type keyCounts struct {
	read, total int
	ok          bool
}

// Start is when the key's 24-hour window began: the send time when known,
// else when it was added.
func (k *Key) Start() time.Time {
	if !k.SentAt.IsZero() {
		return k.SentAt
	}
	return k.AddedAt
}

// Counts are how many recipients have read, of how many.
func (k *Key) Counts() (read, total int) {
	if k.counted.ok {
		return k.counted.read, k.counted.total
	}
	for _, r := range k.Recipients {
		if r.Read {
			read++
		}
	}
	return read, len(k.Recipients)
}

// Final reports whether nothing more can change: everyone read, recalled,
// or expired. A final key is never polled.
func (k *Key) Final() bool {
	if k.Expired || k.Unknown || k.Recalled() {
		return true
	}
	read, total := k.Counts()
	return total > 0 && read == total
}

// DeliveredToNobody reports whether DingTalk delivered the key's batch to
// nobody: dingwatch sent it, DingTalk named every recipient as not
// delivered (an invalid userId, flow control, a filter), and no answer or
// event has named anyone since. Nobody can read it, so it is never asked:
// its people are counted as not delivered.
func (k *Key) DeliveredToNobody() bool {
	return len(k.Recipients) == 0 && len(k.NotDelivered) > 0
}

// Recalled reports whether the message was recalled: by dingwatch, by a
// pushed event, or as a readStatus answer said (sendStatus RECALLED). A
// recalled key is final and no longer counts down its window.
func (k *Key) Recalled() bool {
	return k.SendStatus == dingtalk.SendRecalled || !k.RecalledAt.IsZero()
}

// Waiting reports whether DingTalk has not generated the key's data yet.
func (k *Key) Waiting() bool {
	return k.LastOK.IsZero() && k.Err != nil && k.Err.Code == dingtalk.CodeKeyExpireTime && !k.Expired
}

// Stale reports whether the last query failed while older data is shown.
func (k *Key) Stale() bool { return k.Err != nil && !k.LastOK.IsZero() && !k.Expired }

// TimeLeft is how long DingTalk still answers for the key; ok is false
// when the send time is unknown or the key was recalled (nothing is left
// to count down: see Recalled).
func (k *Key) TimeLeft(now time.Time) (left time.Duration, ok bool) {
	if k.SentAt.IsZero() || k.Recalled() {
		return 0, false
	}
	return max(0, k.SentAt.Add(Window).Sub(now)), true
}

// Clone is a deep copy.
func (k *Key) Clone() *Key {
	c := *k
	c.counted = keyCounts{}
	c.Recipients = slices.Clone(k.Recipients)
	c.NotDelivered = slices.Clone(k.NotDelivered)
	if k.Err != nil {
		e := *k.Err
		c.Err = &e
	}
	return &c
}

// Round is one send of a notice: the first, a reminder, or a resend of an
// earlier round to the people its failed batches did not reach.
type Round struct {
	N    int       `json:"n"`
	At   time.Time `json:"at"`
	Text string    `json:"text,omitempty"`
	// Message is what was sent, kept so the round can be resent; nil for
	// rounds sent by an older dingwatch or made from watched keys.
	Message *SentMessage `json:"message,omitempty"`
	Robot   string       `json:"robot,omitempty"` // the robot that sent it; "" when unknown
	// Resend marks a resend of round ResendOf (see Engine.Resend).
	Resend   bool `json:"resend,omitempty"`
	ResendOf int  `json:"resendOf,omitempty"`
}

// SentMessage is a bot message as kept in the state: DingTalk's msgKey and
// its parameters.
type SentMessage struct {
	MsgKey string            `json:"msgKey"`
	Params map[string]string `json:"params,omitempty"`
}

// keepMessage copies m for the state.
func keepMessage(m dingtalk.Message) *SentMessage {
	return &SentMessage{MsgKey: m.MsgKey, Params: maps.Clone(m.Params)}
}

// Message is the kept message as the client sends it.
func (m *SentMessage) Message() dingtalk.Message {
	return dingtalk.Message{MsgKey: m.MsgKey, Params: maps.Clone(m.Params)}
}

// round finds round r of the notice.
func (n *Notice) round(r int) *Round {
	for i := range n.Rounds {
		if n.Rounds[i].N == r {
			return &n.Rounds[i]
		}
	}
	return nil
}

// Notice is a labelled group of keys: one message sent in batches of at
// most 20, with its reminder rounds.
type Notice struct {
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"createdAt"`
	Rounds    []Round   `json:"rounds,omitempty"`
	// Batches are the sends of the notice made from dingwatch, including
	// those that failed or whose outcome is unknown (they have no key).
	Batches []Batch `json:"batches,omitempty"`
	// Complete is set once everyone has read; it is reported once.
	Complete bool `json:"complete,omitempty"`
}

// State is everything dingwatch keeps: the watched keys in display
// order, notices, and the metered calls of the last 24 hours.
type State struct {
	Keys    []*Key    `json:"keys"`
	Notices []*Notice `json:"notices,omitempty"`
	Calls   Ledger    `json:"calls"`
	// Taken names the inbox parcels (file names, see checkParcelName)
	// whose changes this state holds and whose files may still be in the
	// inbox: a parcel is removed only once a state that lists it is on
	// disk, and one listed here is removed without being applied again
	// (taken.go). Almost always empty, and then not written. Never
	// changed in place: a new slice replaces it.
	Taken []string `json:"taken,omitempty"`
}

// Key finds a watched key.
func (s *State) Key(key string) *Key {
	for _, k := range s.Keys {
		if k.Key == key {
			return k
		}
	}
	return nil
}

// Notice finds a notice by ID.
func (s *State) Notice(id string) *Notice {
	for _, n := range s.Notices {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// NoticeKeys lists the keys of notice id, in order.
func (s *State) NoticeKeys(id string) []*Key {
	var keys []*Key
	for _, k := range s.Keys {
		if k.Notice == id {
			keys = append(keys, k)
		}
	}
	return keys
}

// Group is a notice with its keys, or a key on its own (Notice nil).
type Group struct {
	Notice *Notice
	Keys   []*Key
}

// NothingSent reports whether the notice has batches and none of them was sent:
// it has no key, yet the people of its failed and unknown batches count.
func (n *Notice) NothingSent() bool {
	return len(n.Batches) > 0 && !slices.ContainsFunc(n.Batches, func(b Batch) bool { return b.Status == BatchSent })
}

// Groups lists each notice (where its first key stands) and each lone key,
// in the state's order, then the notices that have no key because no
// batch was sent (NothingSent: their people still count). A key whose
// notice is missing gets a stand-in named by the notice's ID.
//
// It takes time in proportion to the number of keys and notices.
func (s *State) Groups() []Group {
	var groups []Group
	notices := make(map[string]*Notice, len(s.Notices))
	for _, n := range s.Notices {
		if _, ok := notices[n.ID]; !ok {
			notices[n.ID] = n
		}
	}
	at := map[string]int{} // notice ID → its group
	for _, k := range s.Keys {
		if k.Notice == "" {
			groups = append(groups, Group{Keys: []*Key{k}})
			continue
		}
		i, ok := at[k.Notice]
		if !ok {
			n := notices[k.Notice]
			if n == nil {
				n = &Notice{ID: k.Notice, Label: k.Notice}
			}
			i = len(groups)
			at[k.Notice] = i
			groups = append(groups, Group{Notice: n})
		}
		groups[i].Keys = append(groups[i].Keys, k)
	}
	for _, n := range s.Notices {
		if _, ok := at[n.ID]; !ok && n.NothingSent() {
			at[n.ID] = len(groups)
			groups = append(groups, Group{Notice: n})
		}
	}
	return groups
}

// Clone is a deep copy.
func (s *State) Clone() *State {
	c := &State{Keys: make([]*Key, len(s.Keys)), Notices: make([]*Notice, len(s.Notices)), Calls: s.Calls.Clone(), Taken: slices.Clone(s.Taken)}
	for i, k := range s.Keys {
		c.Keys[i] = k.Clone()
	}
	for i, n := range s.Notices {
		nc := *n
		nc.Rounds = slices.Clone(n.Rounds)
		nc.Batches = slices.Clone(n.Batches)
		c.Notices[i] = &nc
	}
	return c
}
