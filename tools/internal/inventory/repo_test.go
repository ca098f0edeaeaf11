package inventory

import "testing"

func TestRepo(t *testing.T) {
	for ref, want := range map[string]string{
		"debian:latest":                  "debian",
		"localhost:5000/netcat:latest":   "localhost:5000/netcat",
		"localhost:5000/netcat":          "localhost:5000/netcat",
		"registry.example:5000/a/b:v1.2": "registry.example:5000/a/b",
	} {
		if got := Repo(ref); got != want {
			t.Errorf("Repo(%q) = %q, want %q", ref, got, want)
		}
	}
}
