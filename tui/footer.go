package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"github.com/abtop-dev/abtop/tui/text"
)

// footerKeys picks the key hints that fit in w cells. "help" and "quit"
// always stay (a new user must see how to learn the rest and how to
// leave); the other hints are kept in order while they fit, whole, so
// the line never ends in a cut-off hint. It is computed on resize, not
// per frame: rendering help is the slow part of the footer.
func footerKeys(hm help.Model, short []key.Binding, helpB, quitB key.Binding, w int) []key.Binding {
	hm.SetWidth(0) // measure untruncated
	var rest []key.Binding
	for _, b := range short {
		if b.Help() != helpB.Help() && b.Help() != quitB.Help() {
			rest = append(rest, b)
		}
	}
	pick := make([]key.Binding, 0, len(short))
	for _, b := range rest {
		try := append(append(pick[:len(pick):len(pick)], b), helpB, quitB)
		if text.Width(hm.ShortHelpView(try)) > w {
			break
		}
		pick = append(pick, b)
	}
	return append(pick, helpB, quitB)
}
