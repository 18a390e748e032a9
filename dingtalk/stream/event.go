package stream

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// EventType is what a pushed event reports.
type EventType string

// The event types dingwatch acts on; every other eventType is TypeOther.
const (
	TypeRead   EventType = "robot_msg_read"
	TypeRecall EventType = "robot_msg_recall"
	TypeOther  EventType = "other"
)

// Event is one decoded EVENT frame. Every string is raw, untrusted text from
// the network: clean it (safetext.Line) where it is shown.
type Event struct {
	Type    EventType
	RawType string // headers.eventType as sent
	// EventID is headers.eventId, the key DingTalk's redeliveries share.
	EventID string
	// CorpID is headers.eventCorpId, the organisation of the reader.
	CorpID          string
	ProcessQueryKey string // the batchSend key the event is about
	RobotCode       string // empty when the send did not name one
	// UserID is the reader; empty when the reader is outside CorpID's
	// organisation: UnionID identifies them then.
	UserID  string
	UnionID string
	// At is operatTime, when the message was read or recalled, by
	// DingTalk's clock. Zero when absent or not a plausible epoch time.
	At time.Time
}

// EventOf decodes an EVENT frame's headers and data. Fields missing or of
// the wrong type are left empty; it never fails.
func EventOf(f Frame) Event {
	ev := Event{
		RawType: f.Header("eventType"),
		EventID: f.Header("eventId"),
		CorpID:  f.Header("eventCorpId"),
	}
	switch EventType(ev.RawType) {
	case TypeRead, TypeRecall:
		ev.Type = EventType(ev.RawType)
	default:
		ev.Type = TypeOther
	}
	var data map[string]json.RawMessage
	if json.Unmarshal([]byte(f.Data), &data) != nil {
		return ev
	}
	ev.ProcessQueryKey = scalar(data["processQueryKey"])
	ev.RobotCode = scalar(data["robotCode"])
	ev.UserID = scalar(data["userId"])
	ev.UnionID = scalar(data["unionId"])
	ev.At = epochMillis(data["operatTime"])
	return ev
}

// Plausible operatTime bounds: 2000-01-01 to 2200-01-01, in milliseconds.
const (
	minMillis = 946684800000
	maxMillis = 7258118400000
)

// epochMillis reads milliseconds since the epoch given as a JSON string or
// number; zero for anything else or anything implausible.
func epochMillis(raw json.RawMessage) time.Time {
	s := scalar(bytes.TrimSpace(raw))
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(f) || f != math.Trunc(f) || f < minMillis || f > maxMillis {
			return time.Time{}
		}
		ms = int64(f)
	}
	if ms < minMillis || ms > maxMillis {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
