package stream

import (
	"encoding/json"
	"testing"
	"time"
)

// Frames shaped as DingTalk's Stream protocol notes show them.
const (
	framePing = `{"specVersion":"1.0","type":"SYSTEM","headers":{"appId":"a1","connectionId":"c1",` +
		`"contentType":"application/json","messageId":"m-ping-1","time":"1700000000000","topic":"ping"},` +
		`"data":"{\"opaque\":\"8f2c-77\"}"}`
	frameDisconnect = `{"specVersion":"1.0","type":"SYSTEM","headers":{"contentType":"application/json",` +
		`"messageId":"m-disc-1","time":"1700000000000","topic":"disconnect"},"data":"{\"reason\":\"server restart\"}"}`
	frameReadString = `{"specVersion":"1.0","type":"EVENT","headers":{"topic":"*","messageId":"m-1",` +
		`"contentType":"application/json","time":"1700000000000","eventType":"robot_msg_read","eventId":"e-1",` +
		`"eventCorpId":"dingcorp","eventBornTime":"1700000000000","eventUnifiedAppId":"app"},` +
		`"data":"{\"processQueryKey\":\"k+/=1\",\"userId\":\"u1\",\"unionId\":\"un1\",\"operatTime\":\"1654641965416\",\"robotCode\":\"dingbot\"}"}`
	frameReadNumber = `{"specVersion":"1.0","type":"EVENT","headers":{"messageId":"m-2","eventType":"robot_msg_read",` +
		`"eventId":"e-2","eventCorpId":"dingcorp"},` +
		`"data":"{\"processQueryKey\":\"k2\",\"userId\":\"u2\",\"unionId\":\"un2\",\"operatTime\":1654641965416}"}`
	frameReadExternal = `{"specVersion":"1.0","type":"EVENT","headers":{"messageId":"m-3","eventType":"robot_msg_read",` +
		`"eventId":"e-3","eventCorpId":"dingcorp"},` +
		`"data":"{\"processQueryKey\":\"k3\",\"unionId\":\"un3\",\"operatTime\":\"1654641965416\",\"openConversationId\":\"cid1\"}"}`
	frameRecall = `{"specVersion":"1.0","type":"EVENT","headers":{"messageId":"m-4","eventType":"robot_msg_recall",` +
		`"eventId":"e-4","eventCorpId":"dingcorp","newHeader":{"x":1}},"extra":[1,2],` +
		`"data":"{\"processQueryKey\":\"k4\",\"robotCode\":\"dingbot\",\"operatTime\":1654641965416,\"more\":{}}"}`
	frameCallback = `{"specVersion":"1.0","type":"CALLBACK","headers":{"topic":"/v1.0/im/bot/messages/get","messageId":"m-5"},"data":"{}"}`
)

var readAt = time.UnixMilli(1654641965416)

func TestDecodePing(t *testing.T) {
	f, err := DecodeFrame([]byte(framePing))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != FrameSystem || f.Topic() != TopicPing || f.MessageID() != "m-ping-1" || f.Data != `{"opaque":"8f2c-77"}` {
		t.Fatalf("ping decoded as %+v", f)
	}
	if f.Header("connectionId") != "c1" {
		t.Errorf("unknown header connectionId not kept: %+v", f.Headers)
	}
}

func TestDecodeDisconnect(t *testing.T) {
	f, err := DecodeFrame([]byte(frameDisconnect))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != FrameSystem || f.Topic() != TopicDisconnect || disconnectReason(f.Data) != "server restart" {
		t.Fatalf("disconnect decoded as %+v", f)
	}
}

func TestDecodeEvents(t *testing.T) {
	for _, tc := range []struct {
		name, frame string
		want        Event
	}{
		{"read, operatTime a string", frameReadString, Event{Type: TypeRead, RawType: "robot_msg_read", EventID: "e-1",
			CorpID: "dingcorp", ProcessQueryKey: "k+/=1", RobotCode: "dingbot", UserID: "u1", UnionID: "un1", At: readAt}},
		{"read, operatTime a number", frameReadNumber, Event{Type: TypeRead, RawType: "robot_msg_read", EventID: "e-2",
			CorpID: "dingcorp", ProcessQueryKey: "k2", UserID: "u2", UnionID: "un2", At: readAt}},
		{"read by someone outside the organisation", frameReadExternal, Event{Type: TypeRead, RawType: "robot_msg_read",
			EventID: "e-3", CorpID: "dingcorp", ProcessQueryKey: "k3", UnionID: "un3", At: readAt}},
		{"recall with unknown fields", frameRecall, Event{Type: TypeRecall, RawType: "robot_msg_recall", EventID: "e-4",
			CorpID: "dingcorp", ProcessQueryKey: "k4", RobotCode: "dingbot", At: readAt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := DecodeFrame([]byte(tc.frame))
			if err != nil {
				t.Fatal(err)
			}
			if f.Type != FrameEvent {
				t.Fatalf("type %q", f.Type)
			}
			got := EventOf(f)
			if !got.At.Equal(tc.want.At) {
				t.Errorf("At = %v, want %v", got.At, tc.want.At)
			}
			got.At, tc.want.At = time.Time{}, time.Time{}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeCallback(t *testing.T) {
	f, err := DecodeFrame([]byte(frameCallback))
	if err != nil || f.Type != FrameCallback || f.MessageID() != "m-5" {
		t.Fatalf("callback decoded as %+v, %v", f, err)
	}
}

func TestOperatTimeOddValues(t *testing.T) {
	for in, want := range map[string]time.Time{
		`"1654641965416"`:         readAt,
		`1654641965416`:           readAt,
		`1.654641965416e12`:       readAt,
		`" 1654641965416 "`:       readAt,
		`"yesterday"`:             {},
		`-1`:                      {},
		`0`:                       {},
		`1654641965`:              {}, // seconds, not milliseconds: implausible
		`99999999999999999999999`: {},
		`1654641965416.5`:         {},
		`null`:                    {},
		`{}`:                      {},
		`[1654641965416]`:         {},
		`true`:                    {},
		`"NaN"`:                   {},
		`"1e999"`:                 {},
	} {
		data, _ := json.Marshal(`{"operatTime":` + in + `}`)
		f, err := DecodeFrame([]byte(`{"type":"EVENT","headers":{"eventType":"robot_msg_read"},"data":` + string(data) + `}`))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := EventOf(f).At; !got.Equal(want) {
			t.Errorf("operatTime %s → %v, want %v", in, got, want)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, in := range []string{"", "null", "[]", `"ping"`, "{", "42", "\x00\xff"} {
		if _, err := DecodeFrame([]byte(in)); err == nil {
			t.Errorf("DecodeFrame(%q) accepted", in)
		}
	}
	// Wrong shapes inside an object are tolerated: empty fields, never an error.
	for _, in := range []string{
		`{}`,
		`{"type":7,"headers":[],"data":{"processQueryKey":"k"}}`,
		`{"type":"EVENT","headers":{"eventType":["x"],"messageId":12},"data":"not json"}`,
		`{"type":"EVENT","headers":null,"data":null}`,
	} {
		f, err := DecodeFrame([]byte(in))
		if err != nil {
			t.Errorf("DecodeFrame(%s): %v", in, err)
			continue
		}
		_ = EventOf(f)
	}
	f, _ := DecodeFrame([]byte(`{"type":"EVENT","headers":{"eventType":["x"],"messageId":12},"data":"x"}`))
	if f.MessageID() != "12" || f.Header("eventType") != "" || EventOf(f).Type != TypeOther {
		t.Errorf("mistyped headers decoded as %+v", f)
	}
	f, _ = DecodeFrame([]byte(`{"type":"EVENT","headers":{"eventType":"robot_msg_read"},"data":{"processQueryKey":"k"}}`))
	if EventOf(f).ProcessQueryKey != "k" {
		t.Errorf("data given as an object not read: %+v", f)
	}
}

func TestACKShape(t *testing.T) {
	var got struct {
		Code    int               `json:"code"`
		Headers map[string]string `json:"headers"`
		Message string            `json:"message"`
		Data    string            `json:"data"`
	}
	if err := json.Unmarshal(encodeACK("m-1", ackEventData), &got); err != nil {
		t.Fatal(err)
	}
	if got.Code != 200 || got.Headers["messageId"] != "m-1" || got.Headers["contentType"] != "application/json" ||
		got.Message != "OK" || got.Data != `{"status":"SUCCESS","message":"success"}` {
		t.Fatalf("ACK = %+v", got)
	}
}

func TestRecentForgetsOldest(t *testing.T) {
	r := newRecent(2)
	if !r.first("a") || !r.first("b") || r.first("a") || r.first("b") {
		t.Fatal("repeats within the window must not be first")
	}
	if !r.first("c") || !r.first("a") { // c pushed a out
		t.Fatal("an id pushed out of the window is first again")
	}
	if !r.first("") || !r.first("") {
		t.Fatal("empty ids cannot be told apart and always pass")
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, s := range []string{framePing, frameDisconnect, frameReadString, frameReadNumber, frameReadExternal,
		frameRecall, frameCallback, `{}`, `{"type":"EVENT","data":"{\"operatTime\":\"-9\"}"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := DecodeFrame(b)
		if err != nil {
			return
		}
		ev := EventOf(fr)
		switch ev.Type {
		case TypeRead, TypeRecall, TypeOther:
		default:
			t.Fatalf("event type %q", ev.Type)
		}
		if !ev.At.IsZero() && (ev.At.UnixMilli() < minMillis || ev.At.UnixMilli() > maxMillis) {
			t.Fatalf("implausible At %v", ev.At)
		}
		_ = disconnectReason(fr.Data)
		var back struct {
			Headers map[string]string `json:"headers"`
			Data    string            `json:"data"`
		}
		if err := json.Unmarshal(encodeACK(fr.MessageID(), fr.Data), &back); err != nil {
			t.Fatalf("ACK is not JSON: %v", err)
		}
	})
}
