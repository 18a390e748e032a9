package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// MaxBatch is the most recipients one batchSend takes, and the most keys
// one batchRecall takes.
const MaxBatch = 20

// Message is what a bot sends: a msgKey and its parameters.
type Message struct {
	MsgKey string            // sampleText, sampleMarkdown, sampleLink, sampleActionCard
	Params map[string]string // msgParam fields, e.g. {"content": "…"}
}

// Text is a plain text message.
func Text(content string) Message {
	return Message{MsgKey: "sampleText", Params: map[string]string{"content": content}}
}

// Markdown is a markdown message with a title.
func Markdown(title, text string) Message {
	return Message{MsgKey: "sampleMarkdown", Params: map[string]string{"title": title, "text": text}}
}

// SendResult is DingTalk's answer to one batchSend.
type SendResult struct {
	ProcessQueryKey string   `json:"processQueryKey"`
	Invalid         []string `json:"invalidStaffIdList"`
	FlowControlled  []string `json:"flowControlledStaffIdList"`
	Filtered        []string `json:"filteredStaffIdList"`
}

// BatchSend sends msg to at most 20 users. It is never retried once the
// request may have reached DingTalk: then the error wraps ErrOutcomeUnknown
// (check with errors.Is) and the caller must not resend on its own.
func (c *Client) BatchSend(ctx context.Context, robotCode string, userIDs []string, msg Message) (SendResult, error) {
	if len(userIDs) == 0 || len(userIDs) > MaxBatch {
		return SendResult{}, fmt.Errorf("a batch takes 1 to %d recipients, not %d", MaxBatch, len(userIDs))
	}
	param, err := json.Marshal(msg.Params)
	if err != nil {
		return SendResult{}, err
	}
	var res SendResult
	err = c.call(ctx, request{
		method: http.MethodPost,
		path:   "/v1.0/robot/oToMessages/batchSend",
		body: map[string]any{"robotCode": robotCode, "userIds": userIDs,
			"msgKey": msg.MsgKey, "msgParam": string(param)},
		auth: true, metered: true, spec: sendSpec,
	}, &res)
	var e *Error
	if errors.As(err, &e) && (e.mayHaveArrived || (e.HTTPStatus/100 == 2 && (e.Code == CodeNotJSON || e.Code == CodeIncomplete))) {
		// A 2xx that is not an answer: DingTalk may have sent it.
		return SendResult{}, fmt.Errorf("%w (%s)", ErrOutcomeUnknown, e.Error())
	}
	noteUserIDs(err, userIDs)
	if err == nil && res.ProcessQueryKey == "" {
		return res, fmt.Errorf("%w (DingTalk's answer had no processQueryKey)", ErrOutcomeUnknown)
	}
	return res, err
}

// RecallResult is DingTalk's answer to one batchRecall.
type RecallResult struct {
	Succeeded []string          `json:"successResult"`
	Failed    map[string]string `json:"failedResult"`
}

// BatchRecall recalls at most 20 keys of robotCode. Recalling is safe to
// repeat, so it is retried on transient failures.
func (c *Client) BatchRecall(ctx context.Context, robotCode string, keys []string) (RecallResult, error) {
	if len(keys) == 0 || len(keys) > MaxBatch {
		return RecallResult{}, fmt.Errorf("a recall takes 1 to %d keys, not %d", MaxBatch, len(keys))
	}
	var res RecallResult
	err := c.call(ctx, request{
		method: http.MethodPost,
		path:   "/v1.0/robot/otoMessages/batchRecall",
		body:   map[string]any{"robotCode": robotCode, "processQueryKeys": keys},
		auth:   true, metered: true, idempotent: true, spec: recallSpec,
	}, &res)
	return res, err
}
