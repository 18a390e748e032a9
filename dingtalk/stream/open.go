package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/dingwatch/dingwatch/dingtalk"
)

// openPath is where a Stream connection is opened.
const openPath = "/v1.0/gateway/connections/open"

const maxOpenAnswer = 64 << 10

// ticket is an answer to open: where to dial, and the single-use ticket.
type ticket struct {
	Endpoint string `json:"endpoint"`
	Ticket   string `json:"ticket"`
}

// dialURL is the endpoint with the ticket appended, exactly as DingTalk
// gave them.
func (t ticket) dialURL() string {
	sep := "?"
	if u, err := url.Parse(t.Endpoint); err == nil && u.RawQuery != "" {
		sep = "&"
	}
	return t.Endpoint + sep + "ticket=" + url.QueryEscape(t.Ticket)
}

type openRequest struct {
	ClientID      string         `json:"clientId"`
	ClientSecret  string         `json:"clientSecret"`
	Subscriptions []subscription `json:"subscriptions"`
	UA            string         `json:"ua"`
}

type subscription struct {
	Type  string `json:"type"`
	Topic string `json:"topic"`
}

// open asks DingTalk for a connection ticket. A refusal is a
// *dingtalk.Error (dingtalk.IsAuth tells bad credentials).
func (c *Client) open(ctx context.Context) (ticket, error) {
	body, err := json.Marshal(openRequest{
		ClientID: c.cfg.ClientID, ClientSecret: c.cfg.ClientSecret, UA: c.cfg.UserAgent,
		Subscriptions: []subscription{{Type: FrameEvent, Topic: "*"}},
	})
	if err != nil {
		return ticket{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OpenTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+openPath, bytes.NewReader(body))
	if err != nil {
		return ticket{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return ticket{}, &dingtalk.Error{Code: dingtalk.CodeNetwork, Message: err.Error(),
			Hint: "could not open the stream connection: check the network and the endpoint"}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxOpenAnswer+1))
	if err != nil {
		return ticket{}, &dingtalk.Error{Code: dingtalk.CodeNetwork, Message: err.Error(),
			Hint: "the answer to opening the stream connection was cut off"}
	}
	if resp.StatusCode/100 != 2 {
		if resp.StatusCode/100 == 3 {
			return ticket{}, &dingtalk.Error{HTTPStatus: resp.StatusCode, Code: dingtalk.CodeNotJSON,
				Message: "redirected", Hint: "the endpoint redirected opening the stream connection: refused, check the endpoint"}
		}
		return ticket{}, dingtalk.DecodeError(resp.StatusCode, raw)
	}
	var t ticket
	if len(raw) > maxOpenAnswer || json.Unmarshal(raw, &t) != nil || t.Endpoint == "" || t.Ticket == "" {
		return ticket{}, &dingtalk.Error{HTTPStatus: resp.StatusCode, Code: dingtalk.CodeNotJSON,
			Message: "no endpoint and ticket in the answer", Hint: "DingTalk's answer to opening the stream connection could not be read"}
	}
	if err := checkDial(t.Endpoint); err != nil {
		return ticket{}, err
	}
	return t, nil
}

// noRedirect makes an HTTP client that never follows a redirect, so the
// credentials and tickets go only where the endpoint says.
func noRedirect(hc *http.Client) *http.Client {
	if hc == nil {
		hc = &http.Client{}
	}
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// describe is err as one line for Status.Err and logs, without the
// client secret or any ticket.
func (c *Client) describe(err error, t ticket) string {
	if err == nil {
		return ""
	}
	var uerr *url.Error
	msg := err.Error()
	if errors.As(err, &uerr) {
		msg = fmt.Sprintf("%s: %v", uerr.Op, uerr.Err) // the URL carries the ticket
	}
	return redact(msg, c.cfg.ClientSecret, t.Ticket, url.QueryEscape(t.Ticket))
}
