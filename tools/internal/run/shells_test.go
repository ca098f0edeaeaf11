package run

import (
	"testing"
)

func TestOpensShell(t *testing.T) {
	for cmd, want := range map[string]bool{
		"docker run --name netcat -ti debian bash":     true,
		"docker exec -ti netcat bash":                  true,
		"docker exec -it web sh":                       true,
		"docker container run --rm -it debian /bin/sh": true,
		"docker run -i -t debian bash":                 true,
		"docker attach netcat":                         true,
		"docker run --rm debian bash":                  false,
		"docker run -d --name web nginx":               false,
		"docker exec netcat ls":                        false,
		"docker run -ti debian ls":                     false,
		"echo docker run -ti debian bash | cat":        false,
		"docker attach --help":                         false,
		"docker run -ti debian bash --help":            false,
	} {
		if got := opensShell(cmd); got != want {
			t.Errorf("opensShell(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestContainerOf(t *testing.T) {
	for cmd, want := range map[string]string{
		"docker run --name netcat -ti debian bash": "netcat",
		"docker run --name=web -ti nginx sh":       "web",
		"docker exec -ti netcat2 bash":             "netcat2",
		"docker exec -u root -ti web sh":           "web",
		"docker attach netcat":                     "netcat",
		"docker run -ti debian bash":               "container",
	} {
		if got := containerOf(cmd); got != want {
			t.Errorf("containerOf(%q) = %q, want %q", cmd, got, want)
		}
	}
}
