package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Send statuses of a processQueryKey. Others are passed through as DingTalk spells them.
const (
	SendSuccess    = "SUCCESS"
	SendRecalled   = "RECALLED"
	SendProcessing = "PROCESSING"
)

// ReadStatus is DingTalk's answer for one processQueryKey.
type ReadStatus struct {
	SendStatus string      // SUCCESS, RECALLED, PROCESSING, or DingTalk's own word
	Recipients []Recipient // in DingTalk's order
}

// Recipient is one person a message went to.
type Recipient struct {
	UserID string
	Name   string
	Read   bool
	// ReadAt is DingTalk's read time when it gave one (rarely); zero otherwise.
	ReadAt time.Time
}

type readStatusBody struct {
	SendStatus string `json:"sendStatus"`
	List       []struct {
		Name          string          `json:"name"`
		UserID        string          `json:"userId"`
		ReadStatus    string          `json:"readStatus"`
		ReadTimestamp json.RawMessage `json:"readTimestamp"`
	} `json:"messageReadInfoList"`
}

// DecodeReadStatus parses a 200 readStatus answer. It accepts DingTalk's
// own misspelling SUCESS, any case of READ, and a read time in seconds or
// milliseconds (as a number or a string); it never panics. A body that is
// an error shape (errcode ≠ 0, the ban body, a code) or holds neither
// sendStatus nor messageReadInfoList is an *Error, as classify decides.
func DecodeReadStatus(body []byte) (ReadStatus, error) {
	if e := classify(http.StatusOK, nil, body, readStatusSpec); e != nil {
		return ReadStatus{}, e
	}
	var b readStatusBody
	if err := json.Unmarshal(body, &b); err != nil {
		return ReadStatus{}, &Error{HTTPStatus: http.StatusOK, Code: CodeNotJSON, Message: bodyExcerpt(body),
			Hint: "DingTalk's read-status answer could not be read"}
	}
	rs := ReadStatus{SendStatus: normalizeSendStatus(b.SendStatus), Recipients: make([]Recipient, 0, len(b.List))}
	if rs.SendStatus == SendSuccess && len(b.List) == 0 {
		// A sent key always reached someone: "read 0/0" would be a lie.
		return ReadStatus{}, &Error{HTTPStatus: http.StatusOK, Code: CodeIncomplete, Message: bodyExcerpt(body),
			Hint: "DingTalk's read-status answer said SUCCESS but listed no recipients: not an answer"}
	}
	for _, r := range b.List {
		rs.Recipients = append(rs.Recipients, Recipient{
			UserID: r.UserID,
			Name:   r.Name,
			Read:   strings.EqualFold(strings.TrimSpace(r.ReadStatus), "READ"),
			ReadAt: parseTimestamp(r.ReadTimestamp),
		})
	}
	return rs, nil
}

func normalizeSendStatus(s string) string {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch u {
	case "SUCESS", SendSuccess:
		return SendSuccess
	case SendRecalled, SendProcessing:
		return u
	}
	return s
}

// parseTimestamp reads seconds or milliseconds since the epoch; 0, absent
// or unreadable values give the zero time.
func parseTimestamp(raw json.RawMessage) time.Time {
	s := string(bytes.Trim(bytes.TrimSpace(raw), `"`))
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	if n > 1e11 { // later than year 5138 in seconds: must be milliseconds
		return time.UnixMilli(n).UTC()
	}
	return time.Unix(n, 0).UTC()
}

// ReadStatus asks who has read the message behind processQueryKey. It is
// metered, and retried on transient failures.
func (c *Client) ReadStatus(ctx context.Context, robotCode, processQueryKey string) (ReadStatus, error) {
	var raw json.RawMessage
	err := c.call(ctx, request{
		method: http.MethodGet,
		path:   "/v1.0/robot/oToMessages/readStatus",
		query:  url.Values{"robotCode": {robotCode}, "processQueryKey": {processQueryKey}},
		auth:   true, metered: true, idempotent: true, spec: readStatusSpec,
	}, &raw)
	if err != nil {
		noteKeyShape(err, processQueryKey)
		return ReadStatus{}, err
	}
	rs, err := DecodeReadStatus(raw)
	if err != nil {
		return ReadStatus{}, fmt.Errorf("key %s: %w", Short(processQueryKey), err)
	}
	return rs, nil
}

// Short is a processQueryKey shortened for display: its first 8 and last 4 characters.
func Short(key string) string {
	if len(key) <= 14 { // 14 bytes are 14 runes at most
		return key
	}
	if plain := strings.IndexFunc(key, func(r rune) bool { return r >= utf8.RuneSelf }) < 0; plain {
		return key[:8] + "…" + key[len(key)-4:] // a processQueryKey is ASCII: no rune slice to make
	}
	r := []rune(key)
	if len(r) <= 14 {
		return key
	}
	return string(r[:8]) + "…" + string(r[len(r)-4:])
}
