package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// box draws content (lines already fit to width-4 cells) in a rounded
// border of exactly width×height cells, with one cell of padding on each
// side. It does what a lipgloss border style with Width and Height does,
// without re-wrapping every line of every frame.
func box(border lipgloss.Style, content string, width, height int) string {
	if width < 4 || height < 2 {
		return ""
	}
	inner := width - 4
	b := lipgloss.RoundedBorder()
	lines := strings.Split(content, "\n")
	var out strings.Builder
	out.WriteString(border.Render(b.TopLeft + strings.Repeat(b.Top, width-2) + b.TopRight))
	left, right := border.Render(b.Left), border.Render(b.Right)
	for i := range height - 2 {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out.WriteString("\n" + left + " " + fit(l, inner) + " " + right)
	}
	out.WriteString("\n" + border.Render(b.BottomLeft+strings.Repeat(b.Bottom, width-2)+b.BottomRight))
	return out.String()
}
