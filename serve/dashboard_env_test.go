package serve

import "testing"

func TestSessionEnv(t *testing.T) {
	get := sessionEnv([]string{"LANG=zh_CN.UTF-8", "TMUX=/tmp/tmux-1000/default,4242,0", "BROKEN"})
	if get("TMUX") != "/tmp/tmux-1000/default,4242,0" || get("STY") != "" || get("BROKEN") != "" {
		t.Fatalf("TMUX %q STY %q", get("TMUX"), get("STY"))
	}
}
