package stream

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Frame types DingTalk sends in a frame's "type".
const (
	FrameSystem   = "SYSTEM"
	FrameEvent    = "EVENT"
	FrameCallback = "CALLBACK"
)

// SYSTEM frame topics (headers.topic) dingwatch acts on.
const (
	TopicPing       = "ping"
	TopicDisconnect = "disconnect"
)

// Frame is one message DingTalk sends over the Stream connection: a JSON
// object whose "data" is itself a JSON document carried as a string.
// Header values are strings on the wire; a number or boolean is kept as its
// literal text, anything else is dropped. Unknown headers are kept.
type Frame struct {
	SpecVersion string
	Type        string // SYSTEM, EVENT, CALLBACK, or whatever else was sent
	Headers     map[string]string
	Data        string // the raw data document, to be parsed a second time
}

// Header is the header named k, or "".
func (f Frame) Header(k string) string { return f.Headers[k] }

// MessageID is headers.messageId, echoed in the ACK.
func (f Frame) MessageID() string { return f.Headers["messageId"] }

// Topic is headers.topic: "ping" or "disconnect" on SYSTEM frames.
func (f Frame) Topic() string { return f.Headers["topic"] }

// errNotFrame is returned for input that is not a JSON object.
var errNotFrame = errors.New("stream frame is not a JSON object")

// DecodeFrame parses one frame. It never panics; input that is not a JSON
// object is an error, while missing or mistyped fields are simply empty.
func DecodeFrame(b []byte) (Frame, error) {
	var raw struct {
		SpecVersion json.RawMessage            `json:"specVersion"`
		Type        json.RawMessage            `json:"type"`
		Headers     map[string]json.RawMessage `json:"headers"`
		Data        json.RawMessage            `json:"data"`
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return Frame{}, errNotFrame
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		// headers of the wrong shape fail the whole object: retry without them.
		var lean struct {
			SpecVersion json.RawMessage `json:"specVersion"`
			Type        json.RawMessage `json:"type"`
			Data        json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &lean) != nil {
			return Frame{}, errNotFrame
		}
		raw.SpecVersion, raw.Type, raw.Data, raw.Headers = lean.SpecVersion, lean.Type, lean.Data, nil
	}
	f := Frame{
		SpecVersion: scalar(raw.SpecVersion),
		Type:        scalar(raw.Type),
		Headers:     make(map[string]string, len(raw.Headers)),
		Data:        document(raw.Data),
	}
	for k, v := range raw.Headers {
		if s, ok := scalarOK(v); ok {
			f.Headers[k] = s
		}
	}
	return f, nil
}

// scalar is a JSON string's value, or a number's or boolean's literal text;
// "" for anything else.
func scalar(raw json.RawMessage) string {
	s, _ := scalarOK(raw)
	return s
}

func scalarOK(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case 't', 'f':
		return string(raw), string(raw) == "true" || string(raw) == "false"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", false
		}
		return n.String(), true
	}
	return "", false
}

// document is data as DingTalk sends it (a string holding JSON), or, when a
// server sends the object itself, that object's text.
func document(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		return string(raw)
	}
	return scalar(raw)
}

// ack is the reply to a frame, on the connection it came on.
type ack struct {
	Code    int               `json:"code"`
	Headers map[string]string `json:"headers"`
	Message string            `json:"message"`
	Data    string            `json:"data"`
}

// ACK data documents.
const (
	ackEventData    = `{"status":"SUCCESS","message":"success"}`
	ackCallbackData = `{"response":null}`
)

// encodeACK is the ACK frame for messageID carrying data.
func encodeACK(messageID, data string) []byte {
	// Marshalling strings and an int cannot fail.
	b, _ := json.Marshal(ack{Code: 200, Message: "OK", Data: data,
		Headers: map[string]string{"messageId": messageID, "contentType": "application/json"}})
	return b
}
