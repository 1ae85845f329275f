//go:build !linux && !windows

package hostprobe

import (
	"context"
	"fmt"
	"runtime"
)

// Live returns a probe that answers nothing: on this OS the harness only
// replays fixtures, where the probe answers come from the fixture.
func Live() Host { return unsupportedHost{} }

type unsupportedHost struct{}

func (unsupportedHost) Processes(context.Context, string) (Snapshot, error) {
	return Snapshot{}, fmt.Errorf("process probe on %s: %w", runtime.GOOS, ErrNotSupported)
}

func (unsupportedHost) Services(context.Context, string, []string) ([]Service, error) {
	return nil, fmt.Errorf("service probe on %s: %w", runtime.GOOS, ErrNotSupported)
}

func (unsupportedHost) OS(context.Context, string) (OSInfo, error) {
	return OSInfo{}, fmt.Errorf("OS probe on %s: %w", runtime.GOOS, ErrNotSupported)
}
