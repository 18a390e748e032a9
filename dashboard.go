package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func (a *app) runDashboard(cmd *cobra.Command, args []string) error {
	return errors.New("dashboard: not built yet")
}
