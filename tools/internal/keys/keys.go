// Package keys is the one list of the keys a page may press (keys= on a
// console block): the name an author writes, the bytes the runner sends,
// what a terminal in cooked mode echoes, and the label the site shows.
//
// It is a package of its own, importing nothing, because three others
// need the same list and none of them should import another for it:
// blocks checks the names, terminal sends the bytes, record finds the
// echoes. The site's template (layouts/_partials/codeblock/console.html)
// cannot import Go; a test checks its labels against this list.
package keys

import "slices"

// A Key is one key a page may press.
type Key struct {
	Name  string // as written in keys=, such as "ctrl-c"
	Bytes string // what the terminal is sent
	// Echo is what a terminal in cooked mode prints for the key, such
	// as "^C"; empty for keys that print nothing a reader could point
	// at.
	Echo  string
	Label string // shown on the site: "then press Ctrl+C"
}

// All is every key, in the order the documentation lists them.
var All = []Key{
	{Name: "ctrl-c", Bytes: "\x03", Echo: "^C", Label: "Ctrl+C"},
	{Name: "ctrl-d", Bytes: "\x04", Label: "Ctrl+D"},
	{Name: "ctrl-p", Bytes: "\x10", Label: "Ctrl+P"},
	{Name: "ctrl-q", Bytes: "\x11", Label: "Ctrl+Q"},
	{Name: "ctrl-z", Bytes: "\x1a", Echo: "^Z", Label: "Ctrl+Z"},
	{Name: "enter", Bytes: "\r", Label: "Enter"},
}

// Names are the keys' names, in All's order.
func Names() []string {
	names := make([]string, len(All))
	for i, k := range All {
		names[i] = k.Name
	}
	return names
}

// Find returns the key named name.
func Find(name string) (Key, bool) {
	i := slices.IndexFunc(All, func(k Key) bool { return k.Name == name })
	if i < 0 {
		return Key{}, false
	}
	return All[i], true
}
