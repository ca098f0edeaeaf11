package check

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// The project never names package mirrors or registries in its files, and
// captured output is a file. Pages use quiet flags (apt-get -qq); this is
// the safety net: the hosts this machine's apt sources name are replaced
// by <mirror> in what capture writes.
var mirrorHostRE = regexp.MustCompile(`[a-z]+://([A-Za-z0-9.-]+\.[A-Za-z]{2,})`)

// mirrorHosts is read once per run.
var mirrorHosts = sync.OnceValue(func() []string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*")
	files = append(files, "/etc/apt/sources.list")
	seen := map[string]bool{}
	var hosts []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range mirrorHostRE.FindAllStringSubmatch(string(data), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				hosts = append(hosts, m[1])
			}
		}
	}
	return hosts
})

func redactHosts(lines []string, hosts []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		for _, h := range hosts {
			l = strings.ReplaceAll(l, h, "<mirror>")
		}
		out[i] = l
	}
	return out
}
