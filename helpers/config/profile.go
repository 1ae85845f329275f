package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/wincontainer-gate/conformance/profiles"
)

// EnvProfile names a profile: a committed one by name, or a profile file by path.
const EnvProfile = "CONFORMANCE_PROFILE"

// ProfileKeys are the variables a profile may set: the expectations, nothing
// that says where the daemon is or where files go.
var ProfileKeys = []string{
	EnvEngineVersion, EnvMinAPIVersion, EnvPlatform, EnvImage, EnvPull, EnvIsolation,
	EnvDefaultIsolation, EnvHyperV, EnvStepTimeout, EnvDockerService, EnvRemoteHostClaims,
	EnvEngine, EnvRuntimeVersion, EnvHandlerProcess, EnvHandlerHyperV, EnvSandboxImage,
}

// Profile pins the expectations for a kind of host. It is a small YAML file:
// what host it is for, where its values come from, and the variables it sets.
type Profile struct {
	// Name is the committed profile's name, or the file's path.
	Name        string            `yaml:"-"`
	Description string            `yaml:"description"`
	Source      string            `yaml:"source"`
	Settings    map[string]string `yaml:"settings"`
}

// ProfileNames lists the committed profiles.
func ProfileNames() []string {
	entries, _ := fs.ReadDir(profiles.Files, ".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// LoadProfile reads a committed profile by name, or a profile file when the
// value names a path (it contains a path separator or ends in .yaml).
func LoadProfile(nameOrPath string) (Profile, error) {
	var (
		b   []byte
		err error
	)
	if strings.ContainsAny(nameOrPath, `/\`) || strings.HasSuffix(nameOrPath, ".yaml") {
		b, err = os.ReadFile(nameOrPath)
	} else {
		b, err = fs.ReadFile(profiles.Files, path.Clean(nameOrPath)+".yaml")
		if errors.Is(err, fs.ErrNotExist) {
			return Profile{}, fmt.Errorf("%s=%q is not a profile: use one of %s, or the path of a profile file (profiles/README.md)",
				EnvProfile, nameOrPath, strings.Join(ProfileNames(), ", "))
		}
	}
	if err != nil {
		return Profile{}, fmt.Errorf("%s=%q: read profile: %w", EnvProfile, nameOrPath, err)
	}
	p := Profile{Name: nameOrPath}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Profile{}, fmt.Errorf("%s=%q: parse profile (fields: description, source, settings): %w", EnvProfile, nameOrPath, err)
	}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(p.Settings)) {
		if !slices.Contains(ProfileKeys, k) {
			errs = append(errs, fmt.Errorf("%s=%q: %q is not a setting a profile may pin: use %s",
				EnvProfile, nameOrPath, k, strings.Join(ProfileKeys, ", ")))
		}
	}
	return p, errors.Join(errs...)
}

// overlay returns a getenv that answers from the environment first and from
// the profile for the variables the environment leaves unset.
func (p Profile) overlay(getenv func(string) string) func(string) string {
	return func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return p.Settings[name]
	}
}
