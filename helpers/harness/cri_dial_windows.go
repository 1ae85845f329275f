package harness

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/Microsoft/go-winio"
)

// dialEndpoint dials an npipe:// CRI endpoint (containerd's default on
// Windows, npipe:////./pipe/containerd-containerd) or a unix:// socket, as
// crictl's util.GetAddressAndDialer does.
func dialEndpoint(ctx context.Context, endpoint string) (net.Conn, error) {
	if path, ok := strings.CutPrefix(endpoint, "unix://"); ok {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}
	pipe, ok := strings.CutPrefix(endpoint, "npipe://")
	if !ok {
		return nil, fmt.Errorf("CRI endpoint %s: use npipe:// or unix://", endpoint)
	}
	return winio.DialPipeContext(ctx, strings.ReplaceAll(pipe, "/", `\`))
}
