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
		"FOO=1 docker run -ti debian bash":             true,
		"docker run --interactive --tty debian bash":   true,
		"docker run -dit --name web debian bash":       true,
		"docker run -ti debian bash -l":                true,
		"docker run -ti debian sh -c 'bash'":           false,
		"docker run -e -ti debian bash":                false, // -ti is -e's value
		"docker run -ti -h bash debian ls":             false, // -h: the host name
		"docker run -ti debian bash | cat":             false,
		"docker run -ti debian bash > log":             true,
		"docker compose exec app sh":                   true,
		"docker compose exec -T app sh":                false,
		"docker exec -ti web sh -c 'ls'":               false,
	} {
		if got := opensShell(cmd); got != want {
			t.Errorf("opensShell(%q) = %v, want %v", cmd, got, want)
		}
	}
}

func TestContainerOf(t *testing.T) {
	for cmd, want := range map[string]string{
		"docker run --name netcat -ti debian bash":                          "netcat",
		"docker run --name=web -ti nginx sh":                                "web",
		"docker exec -ti netcat2 bash":                                      "netcat2",
		"docker exec -u root -ti web sh":                                    "web",
		"docker attach netcat":                                              "netcat",
		"docker run -ti debian bash":                                        "container",
		"docker start -ai netcat":                                           "netcat",
		"docker exec --user=root -w /tmp -ti web sh":                        "web",
		"docker run -ti -e NAME=x --name 'box' debian bash":                 "box",
		"docker run --rm debian sh -c 'docker run --name inner -ti x bash'": "container",
		"docker compose exec app sh":                                        "app",
	} {
		if got := containerOf(cmd); got != want {
			t.Errorf("containerOf(%q) = %q, want %q", cmd, got, want)
		}
	}
}
