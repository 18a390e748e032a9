package serve

import (
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Caps on the environment a client may set in one session. The SSH
// library keeps every "env" request, so without them a client could fill
// the server's memory before it even starts a shell.
const (
	maxEnvRequests = 64
	maxEnvPayload  = 4096 // bytes of one request: name and value
)

// sessionHandler is the SSH library's session handler with the client's
// requests filtered through limitRequests.
func sessionHandler(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	ssh.DefaultSessionHandler(srv, conn, limitedChannel{nc}, ctx)
}

// limitedChannel is a new session channel whose requests, once accepted,
// pass through limitRequests.
type limitedChannel struct{ gossh.NewChannel }

// Accept accepts the channel and filters its requests.
func (c limitedChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := c.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	return ch, limitRequests(reqs), nil
}

// limitRequests passes requests on in order, refusing "env" requests past
// the caps.
func limitRequests(in <-chan *gossh.Request) <-chan *gossh.Request {
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		env := 0
		for r := range in {
			if r.Type == "env" {
				if env++; env > maxEnvRequests || len(r.Payload) > maxEnvPayload {
					r.Reply(false, nil)
					continue
				}
			}
			out <- r
		}
	}()
	return out
}
