package run

import (
	"fmt"

	"github.com/goccy/go-yaml"
)

// A composeFile is what a Compose file says about the objects and host
// ports it makes. Objects named after the project (project_volume,
// project-service-1) are the project's claim; only names of their own
// are read here.
type composeFile struct {
	Name     string                    `yaml:"name"` // the project's, when set
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]*composeObject `yaml:"volumes"`
	Networks map[string]*composeObject `yaml:"networks"`
}

type composeService struct {
	ContainerName string `yaml:"container_name"`
	Image         string `yaml:"image"`
	Build         any    `yaml:"build"`
	Ports         []any  `yaml:"ports"` // "8080:80", 80, or {published: 8080, target: 80}
}

// A composeObject is a top-level volume or network.
type composeObject struct {
	Name     string `yaml:"name"`
	External any    `yaml:"external"` // true, or (old files) {name: x}
}

// readCompose reads text as a Compose file: a YAML mapping with a
// services section. Other files (a Dockerfile, package.json, a script)
// are not Compose files.
func readCompose(text string) (*composeFile, bool) {
	var f composeFile
	if err := yaml.Unmarshal([]byte(text), &f); err != nil || f.Services == nil {
		return nil, false
	}
	return &f, true
}

// hostPorts are the host ports the services publish.
func (f *composeFile) hostPorts() []string {
	var out []string
	for _, name := range sortedKeys(f.Services) {
		for _, p := range f.Services[name].Ports {
			switch p := p.(type) {
			case string:
				out = append(out, publishedPorts(p)...)
			case map[string]any: // long syntax
				if v, ok := p["published"]; ok && v != nil {
					out = append(out, portRange(fmt.Sprint(v))...)
				}
			}
			// A number alone is a container port: the host's is random.
		}
	}
	return out
}

// builds tells whether a service is built from a Dockerfile.
func (f *composeFile) builds() bool {
	for _, s := range f.Services {
		if s.Build != nil {
			return true
		}
	}
	return false
}

// external tells whether a top-level volume or network is made outside
// the project.
func (o *composeObject) external() bool {
	if o == nil {
		return false
	}
	switch e := o.External.(type) {
	case bool:
		return e
	case nil:
		return false
	}
	return true
}
