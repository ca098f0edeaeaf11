// Package blocks reads the code blocks of the site's Markdown pages and
// writes terminal output back into them. The runner, labrun, executes
// every block of a page against a real Docker daemon and uses this
// package to keep each page's transcripts true.
//
// This comment is the specification of the authoring format.
//
// # Pages
//
// A page is a Markdown file, read as Hugo reads it. It may start with
// front matter: YAML between "---" lines, TOML between "+++" lines, or a
// JSON object. As in Hugo, blank lines and a byte order mark may come
// first, and a page whose first other character is "-", "+" or "{" must
// start with front matter: do not start a page with a list item or a
// shortcode. Blocks are looked for after the front matter, but line
// numbers and byte offsets count from the start of the file.
//
// The Markdown is parsed by goldmark configured as Hugo configures it by
// default (tables, strikethrough, linkify, task lists, definition lists,
// footnotes, typographer), so the runner and the site agree on what is a
// code block and where it starts. Shortcodes such as {{< tabs >}} are
// read as ordinary text, so a block inside a shortcode is a block too;
// the site, which finds a block's record by Hugo's .Ordinal, numbers such
// a block apart from the page's, so content keeps blocks out of shortcodes.
// Hugo's summary divider <!--more--> is ordinary text here as well.
// But Hugo expands shortcodes, and replaces a page's first <!--more-->,
// before it reads the Markdown, even inside code blocks. So a block
// that runs must not contain "{{<" or "{{%", and no block may contain
// the page's first <!--more-->.
//
// # Code blocks
//
// Only fenced code blocks count: three or more backticks or tildes, with
// any indentation Markdown allows, at top level or inside list items,
// block quotes, footnotes and definition lists. Indented code blocks are
// never run. To show a fence inside a block, use a longer fence around
// it, or the other fence character:
//
//	````markdown {skip="shows Markdown"}
//	```console
//	$ docker ps
//	```
//	````
//
// Close every block with a fence of its character, at least as long as
// the opening one. A block left open ends where the list item or block
// quote it is in ends or, failing that, at the end of the file, so the
// rest of the page becomes code. Either is a warning.
//
// The fence's info string is a language, then optionally attributes in
// braces, and nothing else:
//
//	```console {term="web" timeout="2m" exit=1}
//
// The language is the info string up to the first space or "{". The
// attributes are name=value pairs separated by spaces or commas.
// Names are case-insensitive. A value is a quoted string ("..." with
// backslash escapes such as \" and \\), a bare word (a string such as
// main: a letter, "_" or ":", then letters, digits, "_", "-", ":" and
// "."), a number (3, 1.5), or true or false; quote any other value,
// such as "1m30s". No value may contain "{" or "}", not even a quoted
// one. An attribute may be given only once. Hugo's own presentation
// attributes (id, class, and Chroma's options such as hl_lines and
// linenos) are allowed on any block and ignored by the runner.
//
// Hugo's code block hook reads the attributes from the last "{" before
// the first "}" up to that "}", with goldmark's attribute parser, and
// fails on a list that parser refuses. But it silently ignores a "{"
// with no "}" after it (an unterminated quoted value, a missing "}"),
// any other text in the info string, and whatever a "{" or "}" inside a
// value cuts off. The author meant attributes there, so each of these
// is an error too: the runner accepts an info string only when Hugo
// reads exactly the list written.
//
// Every block must be run or say why not:
//
//   - A "console" block is a terminal session the runner types.
//   - A block of any other language with file="path" is a file the page
//     writes into its work folder.
//   - Any block with skip="reason" is shown but never run. The reason
//     is for readers of the source; it must not be empty.
//
// Any other block, including one without a language, is an error:
// add file="…" or skip="reason".
//
// # Console blocks
//
// A console block is a transcript. A line that starts with "$ " (a host
// shell prompt) or "# " (a root shell prompt, such as inside a
// container) is a command; the text after the prompt and its one space
// is what the runner types. A line that is just "$" or "#" is a command
// with no text: the reader presses Enter. A command whose line ends with
// a backslash (an odd number of them, as the shell sees it) goes on in
// the next line, verbatim, whatever that line starts with:
//
//	```console
//	$ docker run --rm \
//	    alpine echo hello
//	hello
//	```
//
// Every other line is output: the lines after a command, up to the next
// one, are what the terminal printed for it. Lines before the first
// command are leading output; a block that only shows what a terminal
// printed since it was last shown (a server's log, say) has nothing
// else. Output lines belong to the runner: it rewrites them with what
// the terminal showed, keeping every other byte of the page. So an
// output line can never start with "$ " or "# ": when a command prints
// such a line, show that command in a skipped block. An output line of
// only blanks is written as an empty line.
//
// A console block's attributes, with their values (and defaults):
//
//	term     terminal the commands are typed into, a name ("main");
//	         each name is its own terminal session
//	title    caption shown above the block, a string
//	exit     exit status expected of the block's last command, 0 to 255 (0)
//	timeout  how long the block may take, a duration
//	redact   output that differs from run to run, a regular expression
//	skip     why the block is shown but never run, a non-empty string
//	wait     output to wait for, a regular expression
//	port     TCP port to wait for, 1 to 65535
//	healthy  container to wait for until it is healthy, a name
//	settle   quiet time to wait for, a duration
//	input    text to type, a string
//	keys     keys to press, space-separated among
//	         ctrl-c ctrl-d ctrl-p ctrl-q ctrl-z enter
//	until    output that ends the block, a regular expression
//	lines    a number of output lines, 1 or more
//	for      how long to watch, a duration
//	shell    "open" or "none"
//	alone    true: run only when the page is read on its own, not in
//	         its section's course (the "If you start here" part)
//	answer   the exercise the block answers, a non-empty string; the
//	         site folds the block until the reader opens it
//	needs    what the block needs of the reader's machine, among
//	         "root" and "linux" (space-separated), shown as badges
//
// The runner's documentation says how it uses each. Numbers are written
// bare (exit=1); everything else is a quoted string (timeout="90s"). A
// duration is a Go duration such as "90s" or "1m30s"; a regular
// expression uses Go's syntax. Quoted values are decoded as JSON strings,
// so a regular expression's \b is written \\b; a backspace or form feed
// in a regular expression is an error. Any other attribute is an error.
//
// # File blocks
//
// A block of any language but console with file="path" holds a file.
// The path is relative to the page's work folder, uses "/", is clean
// (no "." or ".." elements, no doubled or trailing "/"), and stays inside
// the folder. Its attributes:
//
//	file   path of the file
//	title  caption shown above the block
//	skip   reason the file is shown but not written
//	mode   permissions as a quoted octal string, such as mode="0755"
//	       (a bare 0755 would be the decimal number 755)
//	alone  true: written only when the page is read on its own
//	answer the exercise the file answers, a non-empty string
//
// The file's content is the block's text as Hugo's .Inner gives it: the
// lines between the fences, minus the code block's indentation and any
// container markers, without trailing line breaks.
//
// # Hashes
//
// Block.Hash is the hex SHA-256 of Block.Text, which is byte for byte
// Hugo's .Inner for the block: the lines joined with their line endings
// (a CRLF page keeps "\r\n" between lines), with every trailing "\n" and
// "\r" removed, so trailing blank lines do not count. The site's code
// block hook computes sha256 .Inner to check that a page shows what was
// run.
//
// # Errors
//
// Parse reports every problem of a page, each as "file:line: message"
// with the line of the block's opening fence and what to do about it.
// It also reports warnings, in Page.Warnings, in the same form: the
// page still parses and runs, but probably not as its author meant.
package blocks
