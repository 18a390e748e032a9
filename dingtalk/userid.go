package dingtalk

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxUserIDLen is the longest userId DingTalk allows (64 characters).
const MaxUserIDLen = 64

// UserIDError is an id that cannot be a DingTalk userId, and what it looks
// like instead.
type UserIDError struct {
	// ID is the id as given (raw: clean it before printing).
	ID string
	// Looks says what the id is or looks like ("a conversation id (cid…)").
	Looks string
}

// Error is "<id, shortened> is not a userId: it looks like …".
func (e *UserIDError) Error() string {
	if e.ID == "" {
		return "an empty user id is not a userId"
	}
	return fmt.Sprintf("%q is not a userId: %s", shortID(e.ID), e.Looks)
}

// CheckUserID returns nil for a plausible DingTalk userId (staffId), else
// a *UserIDError saying what the id looks like instead: empty; longer than
// 64 characters; holding spaces or control characters; an encrypted id
// ("$:LWCP_v1:$…", as robot callbacks' senderId); a conversation id
// ("cid…"); a unionId (about 20–40 Base64 letters, often ending in "iE").
// It is a heuristic of shapes, not a lookup: a nil error does not mean the
// person exists.
func CheckUserID(id string) error {
	switch {
	case id == "":
		return &UserIDError{ID: id, Looks: "it is empty"}
	case !utf8.ValidString(id):
		return &UserIDError{ID: id, Looks: "it is not valid text (UTF-8)"}
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) >= 0:
		return &UserIDError{ID: id, Looks: "it holds spaces, line breaks or control characters (copied with its surroundings?)"}
	case utf8.RuneCountInString(id) > MaxUserIDLen:
		return &UserIDError{ID: id, Looks: fmt.Sprintf("it is longer than a userId can be (%d characters at most)", MaxUserIDLen)}
	}
	if looks := looksLikeOtherID(id); looks != "" {
		return &UserIDError{ID: id, Looks: "it looks like " + looks + ", not a userId: use the person's userId (staffId) from the admin console or the contacts API"}
	}
	return nil
}

// looksLikeOtherID says which other kind of DingTalk id s is shaped like,
// or "" when it looks like none of them.
func looksLikeOtherID(s string) string {
	switch {
	case strings.HasPrefix(s, "$:LWCP_v1:$"):
		return "an encrypted id ($:LWCP_v1:$…, such as a robot callback's senderId)"
	case strings.HasPrefix(s, "cid") && len(s) >= 16 && isBase64ish(s[3:]) &&
		(strings.ContainsAny(s, "+/=") || hasUpperAndLower(s[3:])):
		return "a conversation id (cid…, an openConversationId)"
	case len(s) >= 20 && len(s) <= 40 && isBase64ish(s) && hasUpperAndLower(s) &&
		(strings.HasSuffix(s, "iE") || strings.Count(s, "ii") >= 2):
		return "a unionId (the id across organisations)"
	}
	return ""
}

func isBase64ish(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=') {
			return false
		}
	}
	return true
}

func hasUpperAndLower(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0 && strings.IndexFunc(s, unicode.IsLower) >= 0
}

// shortID is an id cut for a message: at most 48 characters.
func shortID(s string) string {
	r := []rune(s)
	if len(r) <= 48 {
		return s
	}
	return string(r[:32]) + "…" + string(r[len(r)-8:])
}

// noteUserIDs adds to a refused send's hint which recipients cannot be
// userIds, when DingTalk refused the request for its parameters.
func noteUserIDs(err error, ids []string) {
	var e *Error
	if !errors.As(err, &e) || !refusedForInput(e) {
		return
	}
	var bad []string
	for _, id := range ids {
		var ue *UserIDError
		if errors.As(CheckUserID(id), &ue) {
			bad = append(bad, ue.Error())
		}
	}
	if len(bad) == 0 {
		return
	}
	if len(bad) > 3 {
		bad = append(bad[:3], fmt.Sprintf("and %d more", len(bad)-3))
	}
	e.Hint += "; " + strings.Join(bad, "; ")
}

// noteKeyShape adds to a refused readStatus's hint what the key looks like
// when it is shaped like another kind of id.
func noteKeyShape(err error, key string) {
	var e *Error
	if !errors.As(err, &e) || !refusedForInput(e) {
		return
	}
	if looks := looksLikeOtherID(key); looks != "" {
		e.Hint += fmt.Sprintf("; %q looks like %s, not a processQueryKey (batchSend's answer)", shortID(key), looks)
	}
}

// refusedForInput reports whether DingTalk refused a request for what it
// was asked (a 4xx that is not about the token, the settings or the pace).
func refusedForInput(e *Error) bool {
	return e.HTTPStatus/100 == 4 && e.HTTPStatus != 429 && !isThrottle(e.Code) &&
		!IsAuth(e) && !IsSettings(e) && !IsQuota(e)
}
