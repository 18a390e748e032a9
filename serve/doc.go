// Package serve runs the dashboard as an SSH server: public-key
// authentication only, one shared engine (so DingTalk is polled once for
// everyone), a dashboard per session rendered for that session's
// terminal, and read-only viewers.
package serve
