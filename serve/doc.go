// Package serve runs the dashboard as an SSH server: public-key
// authentication only, one shared engine (so DingTalk is polled once for
// everyone), a dashboard per session rendered for that session's
// terminal, and read-only viewers.
//
// It holds under hostile clients as sshd does: a login grace and caps on
// connections not logged in (conn_guard.go), authorized_keys files checked
// like StrictModes, read again when they change and failing closed, with
// from= honoured and options it cannot honour refused (authorized_keys.go,
// from_patterns.go, key_file.go, auth.go); terminals clamped, environment
// and sessions per connection capped (terminal.go, session_requests.go);
// an idle limit that counts only what the client sends, and sessions the
// server ends told why with their terminal restored (dashboard.go,
// sessions.go); client-chosen values cleaned in the log and refusals
// summed (refusal_log.go). Commands without a terminal answer status from
// the served snapshot and refuse the rest (command.go).
package serve
