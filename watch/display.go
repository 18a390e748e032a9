package watch

import (
	"github.com/dingwatch/dingwatch/dingtalk"
)

// This file re-exports the few DingTalk facts a view needs, so that views
// (package ui) depend on watch alone and never on the HTTP client.

// MaxBatch is the most recipients one batchSend takes: a send of n people
// makes ceil(n/MaxBatch) batches, each with its own key.
const MaxBatch = dingtalk.MaxBatch

// Send statuses of a key as DingTalk reports them (Key.SendStatus).
const (
	SendSuccess  = dingtalk.SendSuccess
	SendRecalled = dingtalk.SendRecalled
)

// ShortKey is a processQueryKey shortened for display: its first 8 and
// last 4 characters, or the whole key when it is short.
func ShortKey(key string) string { return dingtalk.Short(key) }

// TextMessage is a plain-text message with content as its body, for
// SendSpec.Message.
func TextMessage(content string) dingtalk.Message { return dingtalk.Text(content) }

// CheckUserID is nil for an id that can be a userId, else an error saying
// what the id looks like instead (a unionId, an encrypted id, a
// conversation id, …), for a warning before sending to it.
func CheckUserID(id string) error { return dingtalk.CheckUserID(id) }
