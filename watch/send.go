package watch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// Sender sends and recalls bot messages; *dingtalk.Client is one.
type Sender interface {
	BatchSend(ctx context.Context, robotCode string, userIDs []string, msg dingtalk.Message) (dingtalk.SendResult, error)
	BatchRecall(ctx context.Context, robotCode string, keys []string) (dingtalk.RecallResult, error)
}

// Batch outcomes.
const (
	BatchSent    = "sent"
	BatchUnknown = "unknown" // the request may have reached DingTalk: never resent automatically
	BatchFailed  = "failed"
)

// Batch is one batchSend of a notice: at most 20 recipients.
type Batch struct {
	Round   int       `json:"round"`
	UserIDs []string  `json:"userIds"`
	Key     string    `json:"processQueryKey,omitempty"`
	Status  string    `json:"status"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

// SendSpec is a message to send to many people as one notice (or as a
// reminder round of an existing notice).
type SendSpec struct {
	RobotCode string
	UserIDs   []string
	Message   dingtalk.Message
	Label     string // the new notice's label
	Notice    string // an existing notice: the send is its next round
}

// SendReport is what a send did.
type SendReport struct {
	Notice       string        `json:"notice"`
	Label        string        `json:"label"`
	Round        int           `json:"round"`
	Keys         []string      `json:"keys"`
	Batches      []Batch       `json:"batches"`
	NotDelivered []Undelivered `json:"notDelivered"`
}

// OK reports whether every batch was sent.
func (r SendReport) OK() bool {
	for _, b := range r.Batches {
		if b.Status != BatchSent {
			return false
		}
	}
	return true
}

// ParseUserIDs splits a recipient list (commas, spaces, new lines),
// dropping blanks and duplicates, keeping the order.
func ParseUserIDs(text string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, f := range listFields(text) {
		if !seen[f] {
			seen[f] = true
			ids = append(ids, f)
		}
	}
	return ids
}

// Chunks splits items into groups of at most size, in order.
func Chunks[T any](items []T, size int) [][]T {
	var out [][]T
	for len(items) > 0 {
		n := min(size, len(items))
		out = append(out, items[:n:n])
		items = items[n:]
	}
	return out
}

// Send sends spec's message in batches of at most 20 recipients, one
// batchSend each, and watches the keys at once as one notice. A batch that
// failed or whose outcome is unknown is recorded on the notice (its people
// count in the notice's audience as undelivered) and never resent
// automatically: Resend does it when asked. The error is only for a send
// that could not start (no sender, no recipients, an unknown notice);
// failed batches are in the report.
func (e *Engine) Send(ctx context.Context, spec SendSpec) (SendReport, error) {
	if e.opts.Sender == nil {
		return SendReport{}, errors.New("this dingwatch cannot send")
	}
	robot := strings.TrimSpace(spec.RobotCode)
	if robot == "" {
		robot = e.opts.RobotCode
	}
	if len(spec.UserIDs) == 0 {
		return SendReport{}, errors.New("no recipients")
	}
	rep, err := e.openRound(spec, robot, nil, e.opts.Now())
	if err != nil {
		return rep, err
	}
	e.sendBatches(ctx, &rep, robot, spec.UserIDs, spec.Message)
	return rep, nil
}

// sendBatches sends msg to ids, at most 20 a batchSend, as round rep.Round
// of notice rep.Notice, recording each batch as it ends. A key DingTalk
// answers with is checked where it enters: one dingwatch cannot use makes
// the batch's outcome unknown, the key kept in the batch as DingTalk gave it.
func (e *Engine) sendBatches(ctx context.Context, rep *SendReport, robot string, ids []string, msg dingtalk.Message) {
	for _, chunk := range Chunks(ids, dingtalk.MaxBatch) {
		b := Batch{Round: rep.Round, UserIDs: chunk, At: e.opts.Now()}
		var res dingtalk.SendResult
		err := ctx.Err()
		if err == nil {
			res, err = e.opts.Sender.BatchSend(ctx, robot, chunk, msg)
		}
		var lost []Undelivered
		reached := err == nil || !dingtalk.NeverSent(err) // a call that never reached DingTalk spends nothing
		switch {
		case errors.Is(err, dingtalk.ErrOutcomeUnknown):
			b.Status, b.Error = BatchUnknown, err.Error()
		case ctx.Err() != nil && (errors.Is(err, ctx.Err()) || dingtalk.NeverSent(err)):
			b.Status, b.Error, reached = BatchFailed, notSentStopped, false // never DingTalk's doing (tester Q7)
		case err != nil:
			b.Status, b.Error = BatchFailed, batchError(err)
		case CheckKey(res.ProcessQueryKey) != nil:
			b.Status, b.Key = BatchUnknown, res.ProcessQueryKey
			b.Error = "DingTalk accepted the batch but answered with a processQueryKey dingwatch cannot use (" +
				CheckKey(res.ProcessQueryKey).Error() + "): the message was probably sent; its reads cannot be watched"
		default:
			lost = undelivered(res)
			b.Status, b.Key = BatchSent, res.ProcessQueryKey
			rep.Keys = append(rep.Keys, res.ProcessQueryKey)
			rep.NotDelivered = append(rep.NotDelivered, lost...)
		}
		rep.Batches = append(rep.Batches, b)
		e.recordBatch(*rep, b, robot, lost, reached)
	}
}

// notSentStopped is why a batch was not sent when the send was stopped
// (dingwatch quit, or was interrupted) before the batch left.
const notSentStopped = "not sent: the send was stopped before this batch left; resend the failed batches to send it"

// batchError says why a batch was not sent, and never that it will be
// tried again: batchSend is not retried, by the client or by dingwatch.
func batchError(err error) string {
	var e *dingtalk.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	c := *e
	if dingtalk.Retryable(err) || dingtalk.IsThrottle(err) {
		c.Hint = "DingTalk was busy and did not send this batch; dingwatch does not send it again on its own: resend the failed batches"
	}
	return c.Error()
}

// Resend sends notice noticeID again, as a new round, only to the people
// of its batches that failed and, when unknownToo, of those whose outcome
// is unknown (they may then get the notice twice: the caller asks the user
// first). People a later batch reached are left out. Each person gets the
// message of the round their batch belonged to; people of different rounds
// make one new round each, and the report's Round is the first of them.
// The error is for a resend that could not start: no sender, no such
// notice, nobody to resend to, or a message not kept (a notice sent by an
// older dingwatch).
func (e *Engine) Resend(ctx context.Context, noticeID string, unknownToo bool) (SendReport, error) {
	if e.opts.Sender == nil {
		return SendReport{}, errors.New("this dingwatch cannot send")
	}
	groups, err := e.resendGroups(noticeID, unknownToo)
	if err != nil {
		return SendReport{}, err
	}
	var rep SendReport
	for i, g := range groups {
		r, err := e.openRound(SendSpec{Notice: noticeID, Message: g.msg}, g.robot, &g.of, e.opts.Now())
		if err != nil {
			return rep, err
		}
		e.sendBatches(ctx, &r, g.robot, g.ids, g.msg)
		if i == 0 {
			rep = r
			continue
		}
		rep.Keys = append(rep.Keys, r.Keys...)
		rep.Batches = append(rep.Batches, r.Batches...)
		rep.NotDelivered = append(rep.NotDelivered, r.NotDelivered...)
	}
	return rep, nil
}

// resendGroup is the people of one round to send that round's message again.
type resendGroup struct {
	of    int // the round
	robot string
	msg   dingtalk.Message
	ids   []string
}

// resendGroups finds who Resend sends to, grouped by the round of the
// latest batch that failed to reach them.
func (e *Engine) resendGroups(noticeID string, unknownToo bool) ([]resendGroup, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.noticeLocked(noticeID)
	if n == nil {
		return nil, fmt.Errorf("no notice %q", noticeID)
	}
	a := AudienceOf(e.state.NoticeKeys(noticeID), n.Batches...)
	roundOf := map[string]int{}
	for _, b := range n.Batches {
		if b.Status == BatchFailed || b.Status == BatchUnknown {
			for _, id := range b.UserIDs {
				roundOf[id] = b.Round
			}
		}
	}
	var groups []resendGroup
	skipped := 0
	resend := a.Failed
	if unknownToo {
		resend = append(slices.Clip(a.Failed), a.Unknown...)
	} else {
		skipped = len(a.Unknown)
	}
	for _, p := range resend {
		r := roundOf[p.UserID]
		i := slices.IndexFunc(groups, func(g resendGroup) bool { return g.of == r })
		if i < 0 {
			round := n.round(r)
			if round == nil || round.Message == nil {
				return nil, fmt.Errorf("the message of round %d of %q was not kept (sent by an older dingwatch): send it again instead", r, n.Label)
			}
			robot := round.Robot
			if robot == "" {
				robot = e.noticeRobotLocked(noticeID)
			}
			groups = append(groups, resendGroup{of: r, robot: robot, msg: round.Message.Message()})
			i = len(groups) - 1
		}
		groups[i].ids = append(groups[i].ids, p.UserID)
	}
	switch {
	case len(groups) > 0:
		return groups, nil
	case skipped > 0:
		return nil, fmt.Errorf("%s of %q only in batches whose outcome is unknown: they may have it already; resend to them only if they may get it twice",
			Plural(skipped, "person", "people"), n.Label)
	}
	return nil, fmt.Errorf("every batch of %q was sent: nobody to resend to", n.Label)
}

// noticeRobotLocked is the robot of the notice's keys, else the engine's.
func (e *Engine) noticeRobotLocked(noticeID string) string {
	for _, k := range e.state.NoticeKeys(noticeID) {
		if k.RobotCode != "" {
			return k.RobotCode
		}
	}
	return e.opts.RobotCode
}

// openRound creates the notice (or the next round of an existing one),
// keeping the message and robot so that the round can be resent;
// resendOf is the round a resend repeats, nil for a new message.
func (e *Engine) openRound(spec SendSpec, robot string, resendOf *int, now time.Time) (SendReport, error) {
	text := spec.Message.Params["content"] + spec.Message.Params["title"]
	kept := keepMessage(spec.Message)
	if spec.Notice == "" {
		label := strings.TrimSpace(spec.Label)
		if label == "" {
			label = e.state.UniqueLabel("notice " + now.Format("01-02 15:04"))
		}
		n := e.newNotice(label, text, now)
		n.Rounds[0].Message, n.Rounds[0].Robot = kept, robot
		if _, err := e.apply(Op{Kind: OpNotice, Notice: n}); err != nil {
			return SendReport{}, err
		}
		return SendReport{Notice: n.ID, Label: n.Label, NotDelivered: []Undelivered{}}, nil
	}
	e.mu.Lock()
	n := e.noticeLocked(spec.Notice)
	e.mu.Unlock()
	if n == nil {
		return SendReport{}, fmt.Errorf("no notice %q", spec.Notice)
	}
	round := len(n.Rounds)
	r := Round{N: round, At: now, Text: text, Message: kept, Robot: robot}
	if resendOf != nil {
		r.Resend, r.ResendOf = true, *resendOf
	}
	if _, err := e.apply(Op{Kind: OpRound, NoticeID: n.ID, Round: &r}); err != nil {
		return SendReport{}, err
	}
	return SendReport{Notice: n.ID, Label: n.Label, Round: round, NotDelivered: []Undelivered{}}, nil
}

func undelivered(res dingtalk.SendResult) []Undelivered {
	var out []Undelivered
	for _, l := range []struct {
		ids    []string
		reason string
	}{{res.Invalid, "invalid userId"}, {res.FlowControlled, "flow-controlled by DingTalk"}, {res.Filtered, "filtered by DingTalk"}} {
		for _, id := range l.ids {
			out = append(out, Undelivered{UserID: id, Reason: l.reason})
		}
	}
	return out
}

// recordBatch adds a sent batch's key to the watch list, or keeps an
// unsent batch on its notice, and saves; reached says whether its call
// reached DingTalk (one that never did spends nothing).
func (e *Engine) recordBatch(rep SendReport, b Batch, robot string, lost []Undelivered, reached bool) {
	op := Op{Kind: OpBatch, NoticeID: rep.Notice, Batch: &b}
	if b.Status == BatchSent && CheckKey(b.Key) == nil {
		// Who it went to is known before DingTalk answers: unread, names to come.
		var to []Recipient
		for _, id := range b.UserIDs {
			if !slices.ContainsFunc(lost, func(u Undelivered) bool { return u.UserID == id }) {
				to = append(to, Recipient{UserID: id})
			}
		}
		op.Keys = []*Key{{Key: b.Key, RobotCode: robot, Notice: rep.Notice, Round: rep.Round,
			AddedAt: b.At, SentAt: b.At, NotDelivered: lost, Recipients: to}}
	}
	// The call it cost and the batch, as one change: one save.
	var calls []time.Time
	if reached {
		calls = []time.Time{b.At}
	}
	e.apply(Op{Kind: OpCalls, Calls: calls}, op)
}

// Unread lists the userIds of a notice who have not read any of its keys.
func (e *Engine) Unread(noticeID string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ids []string
	for _, p := range AudienceOf(e.state.NoticeKeys(noticeID)).Unread {
		if p.UserID != "" { // a reader known only by unionId cannot be sent to
			ids = append(ids, p.UserID)
		}
	}
	return ids
}

// RecallOutcome is what a recall did to one key.
type RecallOutcome struct {
	Key   string `json:"processQueryKey"`
	OK    bool   `json:"recalled"`
	Error string `json:"error,omitempty"`
}

// Recall recalls keys (batchRecall, at most 20 a call, per robot). Keys
// past their 24 hours are refused without a call. Watched keys show the
// outcome.
func (e *Engine) Recall(ctx context.Context, keys []string) ([]RecallOutcome, error) {
	if e.opts.Sender == nil {
		return nil, errors.New("this dingwatch cannot recall")
	}
	now := e.opts.Now()
	e.mu.Lock()
	byRobot := map[string][]string{}
	var robots []string
	var out []RecallOutcome
	for _, key := range keys {
		robot := e.opts.RobotCode
		if k := e.keyLocked(key); k != nil {
			if k.Expired || k.ExpiredBy(now) {
				out = append(out, RecallOutcome{Key: key, Error: "over 24 hours since sending: DingTalk no longer recalls it"})
				continue
			}
			robot = k.RobotCode
		}
		if _, ok := byRobot[robot]; !ok {
			robots = append(robots, robot)
		}
		byRobot[robot] = append(byRobot[robot], key)
	}
	e.mu.Unlock()
	var calls []time.Time
	for _, robot := range robots {
		for _, chunk := range Chunks(byRobot[robot], dingtalk.MaxBatch) {
			at := e.opts.Now()
			res, err := e.opts.Sender.BatchRecall(ctx, robot, chunk)
			if err == nil || !dingtalk.NeverSent(err) {
				calls = append(calls, at) // a call that never reached DingTalk spends nothing
			}
			out = append(out, recallOutcomes(chunk, res, err)...)
		}
	}
	// One change (and one save) for the whole recall, however many keys.
	e.apply(Op{Kind: OpCalls, Calls: calls}, Op{Kind: OpRecall, Recalls: out, At: e.opts.Now()})
	return out, nil
}

func recallOutcomes(chunk []string, res dingtalk.RecallResult, err error) []RecallOutcome {
	out := make([]RecallOutcome, 0, len(chunk))
	for _, k := range chunk {
		o := RecallOutcome{Key: k}
		switch {
		case err != nil:
			o.Error = err.Error()
		case slices.Contains(res.Succeeded, k):
			o.OK = true
		case res.Failed[k] != "":
			o.Error = res.Failed[k]
		default:
			o.Error = "DingTalk did not say"
		}
		out = append(out, o)
	}
	return out
}
