// Command dingwatch watches, live, who has read a DingTalk bot notice: a
// terminal dashboard, one-shot commands, and the dashboard served over SSH.
// The commands live in package cli; this file only starts them.
package main

import (
	"os"

	"github.com/dingwatch/dingwatch/cli"
)

func main() { os.Exit(cli.Main()) }
