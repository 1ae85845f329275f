package hostprobe

import (
	"testing"

	"gotest.tools/v3/assert"
)

func TestServiceStateName(t *testing.T) {
	tests := []struct {
		doc   string
		state uint32
		want  string
	}{
		{doc: "stopped", state: 1, want: "stopped"},
		{doc: "start pending", state: 2, want: "start-pending"},
		{doc: "stop pending", state: 3, want: "stop-pending"},
		{doc: "running", state: 4, want: "running"},
		{doc: "continue pending", state: 5, want: "continue-pending"},
		{doc: "pause pending", state: 6, want: "pause-pending"},
		{doc: "paused", state: 7, want: "paused"},
		{doc: "zero is not a state and keeps its number", state: 0, want: "state-0"},
		{doc: "unknown code keeps its number", state: 42, want: "state-42"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, ServiceStateName(tc.state), tc.want)
		})
	}
}

func TestServiceStartTypeName(t *testing.T) {
	tests := []struct {
		doc       string
		startType uint32
		delayed   bool
		want      string
	}{
		{doc: "boot", startType: 0, want: "boot"},
		{doc: "system", startType: 1, want: "system"},
		{doc: "auto", startType: 2, want: "auto"},
		{doc: "auto with delayed flag", startType: 2, delayed: true, want: "delayed-auto"},
		{doc: "manual", startType: 3, want: "manual"},
		{doc: "delayed flag ignored on manual", startType: 3, delayed: true, want: "manual"},
		{doc: "disabled", startType: 4, want: "disabled"},
		{doc: "delayed flag ignored on disabled", startType: 4, delayed: true, want: "disabled"},
		{doc: "unknown start type keeps its number", startType: 9, want: "start-9"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, ServiceStartTypeName(tc.startType, tc.delayed), tc.want)
		})
	}
}

func TestEditionName(t *testing.T) {
	tests := []struct {
		doc              string
		installationType string
		want             string
	}{
		{doc: "server", installationType: "Server", want: "server"},
		{doc: "server core", installationType: "Server Core", want: "server"},
		{doc: "nano server", installationType: "Nano Server", want: "server"},
		{doc: "client", installationType: "Client", want: "client"},
		{doc: "case and spaces ignored", installationType: " server core ", want: "server"},
		{doc: "unknown value lower-cased", installationType: "Embedded", want: "embedded"},
		{doc: "unread value stays empty", installationType: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, EditionName(tc.installationType), tc.want)
		})
	}
}

// The codes are OSVERSIONINFOEXW.wProductType's (Microsoft Learn); moby's
// IsWindowsClient treats only VER_NT_WORKSTATION as a client.
func TestProductTypeName(t *testing.T) {
	tests := []struct {
		code   uint8
		want   string
		client bool
	}{
		{code: 1, want: "workstation", client: true},
		{code: 2, want: "domain-controller"},
		{code: 3, want: "server"},
		{code: 9, want: "product-9"},
	}
	for _, tc := range tests {
		got := ProductTypeName(tc.code)
		assert.Equal(t, got, tc.want)
		// The product type decides over the installation type: Windows
		// Enterprise multi-session says InstallationType Client.
		assert.Equal(t, OSInfo{ProductType: got, Edition: "client"}.IsClient(), tc.client, "code %d", tc.code)
	}
	assert.Equal(t, OSInfo{Edition: "client"}.IsClient(), true, "without a product type the installation type decides")
	assert.Equal(t, OSInfo{Edition: "server"}.IsClient(), false)
}
