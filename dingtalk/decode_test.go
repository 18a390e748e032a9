package dingtalk

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDecodeReadStatusTolerance(t *testing.T) {
	body := `{"sendStatus":"SUCESS","messageReadInfoList":[
	 {"name":"李娜","userId":"a","readStatus":"read","readTimestamp":1764230400},
	 {"name":"Bob","userId":"b","readStatus":"READ","readTimestamp":1764230400123},
	 {"name":"C","userId":"c","readStatus":"UNREAD","readTimestamp":0},
	 {"name":"D","userId":"d","readStatus":"Read","readTimestamp":"1764230400"},
	 {"name":"E","userId":"e","readStatus":"unread"}]}`
	rs, err := DecodeReadStatus([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if rs.SendStatus != SendSuccess {
		t.Fatalf("SUCESS read as %q", rs.SendStatus)
	}
	wantRead := []bool{true, true, false, true, false}
	for i, r := range rs.Recipients {
		if r.Read != wantRead[i] {
			t.Errorf("%s: read %v", r.UserID, r.Read)
		}
	}
	sec := time.Unix(1764230400, 0).UTC()
	if !rs.Recipients[0].ReadAt.Equal(sec) || !rs.Recipients[1].ReadAt.Equal(sec.Add(123*time.Millisecond)) ||
		!rs.Recipients[2].ReadAt.IsZero() || !rs.Recipients[3].ReadAt.Equal(sec) {
		t.Fatalf("timestamps %v", rs.Recipients)
	}
	for in, want := range map[string]string{"recalled": SendRecalled, "PROCESSING": SendProcessing, "WEIRD": "WEIRD"} {
		rs, err := DecodeReadStatus([]byte(`{"sendStatus":"` + in + `"}`))
		if err != nil || rs.SendStatus != want {
			t.Errorf("%q → %q, %v", in, rs.SendStatus, err)
		}
	}
}

func TestDecodeErrorShapes(t *testing.T) {
	e := DecodeError(400, []byte(`{"requestid":"R1","message":"m","code":"template.stopped"}`))
	if e.Code != "template.stopped" || e.RequestID != "R1" || e.Message != "m" || e.HTTPStatus != 400 {
		t.Fatalf("%+v", e)
	}
	for _, body := range []string{"", `{"status":1}`, `{"code":`, "\xff\xfe"} {
		e := DecodeError(403, []byte(body))
		if e.Code != CodeNotJSON || e.Hint == "" || e.Error() == "" {
			t.Errorf("%q → %+v", body, e)
		}
	}
	// A web page is DingTalk's IP ban at 200, 403 and 429, a gateway's page otherwise.
	for status, code := range map[int]string{200: CodeBanned, 403: CodeBanned, 429: CodeBanned, 502: CodeNotJSON} {
		e := DecodeError(status, []byte("<html><body>banned</body></html>"))
		if e.Code != code || !strings.Contains(e.Hint, "web page") || (code == CodeBanned) != (e.RetryAfter == banPause) {
			t.Errorf("HTML at %d → %+v", status, e)
		}
	}
}

func FuzzDecodeReadStatus(f *testing.F) {
	f.Add([]byte(`{"sendStatus":"SUCESS","messageReadInfoList":[{"name":"张伟","userId":"1","readStatus":"READ","readTimestamp":0}]}`))
	f.Add([]byte(`{"sendStatus":"RECALLED","messageReadInfoList":[]}`))
	f.Add([]byte(`{"messageReadInfoList":[{"readTimestamp":"99999999999999999999"}]}`))
	f.Add([]byte(`<html>`))
	f.Add([]byte(`{"errcode":90018,"errmsg":"接口调用超过限制"}`))
	f.Add([]byte(`{"status":1111,"wait":5,"punish":"deny"}`))
	f.Add([]byte(`{"code":"Forbidden.AccessDenied.QpsLimitForApi","requestid":"r"}`))
	f.Add([]byte(`{"requestId":"x"}`))
	f.Add([]byte(`{"sendStatus":"PROCESSING","messageReadInfoList":[{"userId":"a","readStatus":"READ","readTimestamp":1764230400123}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := DecodeReadStatus(body)
		if err != nil {
			return
		}
		for _, r := range rs.Recipients {
			if !r.ReadAt.IsZero() && r.ReadAt.Unix() <= 0 {
				t.Fatalf("non-positive read time %v", r.ReadAt)
			}
		}
	})
}

func FuzzDecodeError(f *testing.F) {
	f.Add(400, []byte(`{"code":"invalid.processQueryKey","requestid":"x","message":"m"}`))
	f.Add(403, []byte(`<!DOCTYPE html><html><body>ban</body></html>`))
	f.Add(429, []byte(`{"status":1111,"wait":5,"punish":"deny"}`))
	f.Add(500, []byte{0xff, 0x00})
	f.Add(200, []byte(`{"errcode":90020,"errmsg":"quota"}`))
	f.Add(200, []byte(`{"status":1111,"wait":"5","punish":"deny"}`))
	f.Add(403, []byte(`{"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","accessdenieddetail":{"requiredScopes":["a","b"]}}`))
	f.Add(403, []byte(`{"code":"Forbidden.AccessDenied.IpNotInWhiteList","message":"request ip=2001:db8::1"}`))
	f.Add(200, []byte(`{"code":0}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := DecodeError(status, body)
		if e == nil || e.Hint == "" || e.Code == "" {
			t.Fatalf("%d %q → %+v", status, body, e)
		}
		_ = e.Error()
	})
}

func FuzzDecodeAnswer(f *testing.F) {
	f.Add([]byte(`{"processQueryKey":"k","invalidStaffIdList":["a"],"flowControlledStaffIdList":[],"filteredStaffIdList":null}`))
	f.Add([]byte(`{"successResult":["k"],"failedResult":{"x":"over 24h"}}`))
	f.Add([]byte(`{"accessToken":"t","expireIn":"7200"}`))
	f.Add([]byte(`{"errcode":90019,"errmsg":"x"}`))
	f.Add([]byte(`{"status":1111,"wait":5,"punish":"deny"}`))
	f.Add([]byte(`{"processQueryKey":"k","filteredStaffIdList":["u3"],"flowControlledStaffIdList":["u2"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var s SendResult
		var r RecallResult
		var tok tokenAnswer
		for _, out := range []any{&s, &r, &tok} {
			if err := decodeAnswer(body, out); err != nil && !HasCode(err, CodeNotJSON) {
				t.Fatalf("%v", err)
			}
		}
	})
}

// FuzzClassify: no body makes classify panic, a good answer always holds a
// field the call needs, and every error has a code and a hint.
func FuzzClassify(f *testing.F) {
	f.Add(200, []byte(`{"errcode":90018,"errmsg":"x"}`))
	f.Add(200, []byte(`{"status":1111,"wait":5,"punish":"deny"}`))
	f.Add(200, []byte(`{"code":"template.stopped"}`))
	f.Add(200, []byte(`{"accessToken":"t","expireIn":7200}`))
	f.Add(200, []byte(`{"sendStatus":"SUCESS"}`))
	f.Add(200, []byte(`{"processQueryKey":null}`))
	f.Add(429, []byte(`{"status":1111,"wait":1e308}`))
	f.Add(403, []byte(`{"code":"Forbidden.AccessDenied.AccessTokenPermissionDenied","accessdenieddetail":{"requiredScopes":"a,b"}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		for _, spec := range []answerSpec{tokenSpec, readStatusSpec, sendSpec, recallSpec} {
			e := classify(status, nil, body, spec)
			if e == nil {
				if status/100 != 2 {
					t.Fatalf("%d %q: a non-2xx is a good answer", status, body)
				}
				continue
			}
			if e.Code == "" || e.Hint == "" || e.RetryAfter < 0 || e.RetryAfter > maxRetryAfter || len(e.RequiredScopes) > maxScopes {
				t.Fatalf("%d %q → %+v", status, body, e)
			}
			_ = e.Error()
		}
	})
}

// TestSuccessWithoutRecipientsIsNoAnswer: a 200 answer that says SUCCESS but
// lists nobody (seen as {"errcode":0,"sendStatus":"SUCCESS"}) is not "read
// 0/0": a sent key always reached someone.
func TestSuccessWithoutRecipientsIsNoAnswer(t *testing.T) {
	for _, body := range []string{
		`{"errcode":0,"sendStatus":"SUCCESS"}`,
		`{"sendStatus":"SUCESS","messageReadInfoList":[]}`,
		`{"sendStatus":"success","messageReadInfoList":null}`,
	} {
		_, err := DecodeReadStatus([]byte(body))
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeIncomplete {
			t.Errorf("%s: got %v, want an incomplete-answer error", body, err)
		}
	}
}
