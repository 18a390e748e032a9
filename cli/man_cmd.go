package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manHeader dates the man pages by the commit time, not the clock, so
// regenerating them changes nothing unless the commands did.
func manHeader() *doc.GenManHeader {
	return &doc.GenManHeader{Title: "DINGWATCH", Section: "1", Source: "dingwatch", Manual: "dingwatch manual"}
}

func (a *app) manCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write the man pages (dingwatch.1, dingwatch-status.1, …) into DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return usageErr("%v", err)
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			if err := doc.GenManTree(root, manHeader(), args[0]); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			return nil
		},
	}
}
