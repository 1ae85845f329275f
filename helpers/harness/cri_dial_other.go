//go:build !windows

package harness

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// dialEndpoint dials a unix:// CRI endpoint; npipe:// exists only on Windows.
func dialEndpoint(ctx context.Context, endpoint string) (net.Conn, error) {
	path, ok := strings.CutPrefix(endpoint, "unix://")
	if !ok {
		return nil, fmt.Errorf("CRI endpoint %s: only unix:// sockets exist on this OS", endpoint)
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}
