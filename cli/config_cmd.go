package cli

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dingwatch/dingwatch/config"
)

func (a *app) configCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Show every setting, its value and where it came from",
		Long: `Show every setting dingwatch would use now: its value and where the value came
from — a flag, an environment variable, the config file, or the default.
Secrets show only whether they are set, never any part of them.

Settings come from the config file ($XDG_CONFIG_HOME/dingwatch/config.toml, or
--config), then the environment, then flags: flags over environment over file.
docs/config.example.toml lists every setting.

Exit status: 0, or 2 when the settings cannot be read.`,
		Example: "  dingwatch config\n  dingwatch --budget 500 config",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.settings()
			if err != nil {
				return err
			}
			file := s.File
			if file == "" {
				file = filepath.Join(config.DirsFrom(a.getenv).Config, "config.toml") + " (not found)"
			}
			tw := tabwriter.NewWriter(a.io.out, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "config file:\t%s\n", line(file))
			fmt.Fprintf(tw, "state directory:\t%s\n\n", line(config.DirsFrom(a.getenv).State))
			fmt.Fprintln(tw, "SETTING\tVALUE\tFROM")
			for _, f := range config.Fields() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Name, s.Show(f.Name), line(s.SourceOf(f.Name)))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if err := s.Validate(); err != nil {
				fmt.Fprintf(a.io.out, "\nnot ready to reach DingTalk: %s\n", line(err.Error()))
			}
			return nil
		},
	}
}
