package cli

import (
	"context"
	"sync"

	"github.com/dingwatch/dingwatch/dingtalk"
	"github.com/dingwatch/dingwatch/watch"
)

// settingsSpy is a watch.Sender that remembers the first answer the user
// must fix in the settings (dingtalk.IsSettings), which a send report
// keeps only as text: a send whose every batch failed for a wrong robot
// code exits 2, like any other setting.
type settingsSpy struct {
	watch.Sender
	mu    sync.Mutex
	first error
}

func (s *settingsSpy) note(err error) {
	if err != nil && dingtalk.IsSettings(err) {
		s.mu.Lock()
		if s.first == nil {
			s.first = err
		}
		s.mu.Unlock()
	}
}

// BatchSend sends through the wrapped sender and notes a settings error.
func (s *settingsSpy) BatchSend(ctx context.Context, robot string, ids []string, msg dingtalk.Message) (dingtalk.SendResult, error) {
	res, err := s.Sender.BatchSend(ctx, robot, ids, msg)
	s.note(err)
	return res, err
}

// BatchRecall recalls through the wrapped sender and notes a settings error.
func (s *settingsSpy) BatchRecall(ctx context.Context, robot string, keys []string) (dingtalk.RecallResult, error) {
	res, err := s.Sender.BatchRecall(ctx, robot, keys)
	s.note(err)
	return res, err
}

// settingsErr is the first settings error seen, or nil.
func (s *settingsSpy) settingsErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}
