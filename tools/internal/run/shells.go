package run

import (
	"regexp"
	"strings"
)

var (
	// docker run -ti … bash, docker exec -it c sh, docker container run …
	interactiveRE = regexp.MustCompile(`^docker\s+(?:container\s+)?(?:run|exec)\b.*(?:\s-[a-zA-Z]*(?:it|ti)[a-zA-Z]*|\s-i\s.*-t\b|\s-t\s.*-i\b|--interactive\b.*--tty\b|--tty\b.*--interactive\b)`)
	shellRE       = regexp.MustCompile(`(?:^|/)(?:bash|sh|ash|dash|zsh)$`)
	attachRE      = regexp.MustCompile(`^docker\s+(?:container\s+)?attach\s`)
)

// opensShell tells whether a command starts an interactive shell the
// following commands run in: docker run/exec with -ti whose last word is a
// shell, or docker attach.
func opensShell(cmd string) bool {
	cmd = strings.TrimSpace(strings.ReplaceAll(cmd, "\\\n", " "))
	if strings.Contains(cmd, " --help") || strings.HasSuffix(cmd, " -h") {
		return false
	}
	if attachRE.MatchString(cmd) {
		return true
	}
	f := strings.Fields(cmd)
	return interactiveRE.MatchString(cmd) && len(f) > 0 && shellRE.MatchString(f[len(f)-1])
}

// containerOf names the container a shell-opening command enters.
func containerOf(cmd string) string {
	cmd = strings.ReplaceAll(cmd, "\\\n", " ")
	if m := nameFlagRE.FindStringSubmatch(cmd); m != nil {
		return m[1]
	}
	f := strings.Fields(cmd)
	if attachRE.MatchString(cmd) || strings.Contains(cmd, " exec ") {
		// docker exec [flags] CONTAINER cmd / docker attach CONTAINER
		for i := 2; i < len(f); i++ {
			if strings.HasPrefix(f[i], "-") {
				if f[i] == "-u" || f[i] == "--user" || f[i] == "-w" || f[i] == "-e" {
					i++
				}
				continue
			}
			return f[i]
		}
	}
	return "container"
}
