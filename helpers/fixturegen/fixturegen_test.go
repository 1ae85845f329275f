package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"go.yaml.in/yaml/v4"
	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"
)

func yamlTree(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	assert.NilError(t, yaml.Unmarshal([]byte(text), &m))
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func TestMergeDescriptions(t *testing.T) {
	tests := []struct {
		doc  string
		base string
		over string
		want string
	}{
		{
			doc:  "maps merge key by key",
			base: "daemon: {info: {os_type: windows, isolation: process}, version: {version: 19.03.5}}",
			over: "daemon: {info: {isolation: hyperv}}",
			want: "daemon: {info: {os_type: windows, isolation: hyperv}, version: {version: 19.03.5}}\nexpected: {}",
		},
		{
			doc:  "lists replace, an empty list included",
			base: "host: {vm_workers: [{pid: 2216}, {pid: 6704}], self: {pid: 1}}",
			over: "host: {vm_workers: []}",
			want: "host: {vm_workers: [], self: {pid: 1}}\nexpected: {}",
		},
		{
			doc:  "scalars replace, and a map replaces a scalar",
			base: "target: npipe:////./pipe/docker_engine\nlocal: true\nexpectations: {step_timeout: 2m0s}",
			over: "local: false\nexpectations: {step_timeout: 300ms, isolation: [hyperv]}",
			want: "target: npipe:////./pipe/docker_engine\nlocal: false\nexpectations: {step_timeout: 300ms, isolation: [hyperv]}\nexpected: {}",
		},
		{
			doc:  "null deletes the key",
			base: "containers: {hyperv: {id: abc, create_error: {status: 500, message: no}}}",
			over: "containers: {hyperv: {create_error: null}}",
			want: "containers: {hyperv: {id: abc}}\nexpected: {}",
		},
		{
			doc:  "breaks is not inherited, base is dropped",
			base: "breaks: [service-docker]\nsource: base host",
			over: "base: the-base\nsource: broken host",
			want: "base: the-base\nsource: broken host\nexpected: {}",
		},
		{
			doc:  "gate is not inherited: a broken host's outcome is its own",
			base: "gate: {passed: true, exit_code: 0}\nsource: base host",
			over: "source: broken host",
			want: "source: broken host\nexpected: {}",
		},
		{
			doc:  "breaks of the overlay stay",
			base: "breaks: [service-docker]",
			over: "breaks: [service-vmms]",
			want: "breaks: [service-vmms]\nexpected: {}",
		},
		{
			doc:  "supplied is appended to the base's",
			base: "supplied: [run_id, harness pid]",
			over: "supplied: [the start error]",
			want: "supplied: [run_id, harness pid, the start error]\nexpected: {}",
		},
		{
			doc:  "supplied is inherited when the overlay has none",
			base: "supplied: [run_id]",
			over: "source: x",
			want: "supplied: [run_id]\nsource: x\nexpected: {}",
		},
		{
			doc:  "an expected verdict replaces the base's as a whole",
			base: "expected: {engine-version: {status: pass, message: engine 19.03.5 satisfies}, api-version: {status: pass}}",
			over: "expected: {engine-version: {status: fail}}",
			want: "expected: {engine-version: {status: fail}, api-version: {status: pass}}",
		},
		{
			doc:  "a null expected verdict removes it",
			base: "expected: {engine-version: {status: pass}, api-version: {status: pass}}",
			over: "expected: {engine-version: null}",
			want: "expected: {api-version: {status: pass}}",
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			base := yamlTree(t, tc.base)
			before, err := json.Marshal(base)
			assert.NilError(t, err)

			got := mergeDescriptions(base, yamlTree(t, tc.over))
			assert.DeepEqual(t, got, yamlTree(t, tc.want))

			after, err := json.Marshal(base)
			assert.NilError(t, err)
			assert.Equal(t, string(after), string(before), "the base must not change")
		})
	}
}

func TestLoadDescriptionBaseChain(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		assert.NilError(t, os.MkdirAll(filepath.Join(root, name), 0o755))
		assert.NilError(t, os.WriteFile(filepath.Join(root, name, DescriptionFile), []byte(text), 0o644))
	}
	write("good", `
recorded_at: "2019-12-17T05:30:00Z"
run_id: "7d1f2c9a4b60"
target: npipe:////./pipe/docker_engine
local: true
source: good host
supplied: [run_id]
expectations: {pull: missing}
daemon: {info: {os_type: windows, kernel_version: "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"}}
host: {services: {docker: {state: running, start_type: auto}}}
expected:
  service-docker: {status: pass, message: running}
`)
	write("broken", `
base: good
source: broken host
supplied: [service state]
breaks: [service-docker]
host: {services: {docker: {state: stopped}}}
expected:
  service-docker: {status: fail, message: stopped}
`)
	write("more-broken", `
base: broken
expectations: {pull: never}
`)
	write("loop-a", "base: loop-b\n")
	write("loop-b", "base: loop-a\n")
	write("typo", "base: good\nhost: {servises: {}}\n")

	tests := []struct {
		doc     string
		name    string
		check   func(t *testing.T, d *Description)
		wantErr string
	}{
		{
			doc:  "one level: overrides the service state, keeps the start type, appends supplied",
			name: "broken",
			check: func(t *testing.T, d *Description) {
				assert.Equal(t, d.Host.Services["docker"].State, "stopped")
				assert.Equal(t, d.Host.Services["docker"].StartType, "auto")
				assert.DeepEqual(t, d.Supplied, []string{"run_id", "service state"})
				assert.DeepEqual(t, d.Breaks, []string{"service-docker"})
				assert.Equal(t, d.Expected["service-docker"].Status, "fail")
				assert.Equal(t, d.hostBuild(), "17763")
			},
		},
		{
			doc:  "two levels: breaks of the middle level are not inherited, expectations merge",
			name: "more-broken",
			check: func(t *testing.T, d *Description) {
				assert.Check(t, is.Len(d.Breaks, 0))
				assert.Equal(t, d.Source, "broken host")
				e, err := d.expectations()
				assert.NilError(t, err)
				assert.Equal(t, string(e.Pull), "never")
				assert.Equal(t, e.EngineVersion, ">=19.03", "defaults fill what the description leaves out")
			},
		},
		{doc: "a base cycle is an error", name: "loop-a", wantErr: "base cycle"},
		{doc: "an unknown field is an error", name: "typo", wantErr: `unknown field "servises"`},
		{doc: "a missing base is an error", name: "absent", wantErr: "read description"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			d, err := loadDescription(root, tc.name)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			assert.NilError(t, err)
			tc.check(t, d)
		})
	}
}

// windowsDaemon is a minimal described Windows daemon with one process container.
func windowsDaemon(t *testing.T) *simDaemon {
	t.Helper()
	d := &Description{
		RecordedAt: "2019-12-17T05:30:00Z",
		Daemon: DaemonDesc{
			Version: VersionDesc{Version: "19.03.5", APIVersion: "1.40", MinAPIVersion: "1.24", Os: "windows", Arch: "amd64"},
			Info:    InfoDesc{OSType: "windows", Isolation: "process", Driver: "windowsfilter", DockerRootDir: `C:\ProgramData\docker`},
			Image:   ImageDesc{Ref: "mcr.microsoft.com/windows/nanoserver:1809", ID: "sha256:080394ef5494", Os: "windows", Present: true},
		},
		Containers: map[string]ContainerDesc{
			"process": {
				ID: "cece6585ce235d4790d6ab4d86c425338a6c9091b0f45c2e6a4f883fd7348f7a",
				Top: [][]string{
					{"smss.exe", "5364", "00:00:00.062", "245.8kB"},
					{"PING.EXE", "4872", "00:00:00.031", "528.4kB"},
				},
			},
		},
	}
	sim, err := newSimDaemon(d)
	assert.NilError(t, err)
	return sim
}

func call(t *testing.T, sim *simDaemon, method, target, body string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, "http://api.moby.localhost:2375"+target, strings.NewReader(body))
	resp, err := sim.transport().RoundTrip(req)
	assert.NilError(t, err)
	b, err := io.ReadAll(resp.Body)
	assert.NilError(t, err)
	return resp, string(b)
}

const cece = "cece6585ce235d4790d6ab4d86c425338a6c9091b0f45c2e6a4f883fd7348f7a"

func TestSimulatedTop(t *testing.T) {
	tests := []struct {
		doc        string
		start      bool
		target     string
		wantStatus int
		wantBody   string
	}{
		{
			doc:        "a running Windows container answers top_windows.go's columns and the described rows",
			start:      true,
			target:     "/v1.40/containers/" + cece + "/top",
			wantStatus: http.StatusOK,
			wantBody:   `{"Processes":[["smss.exe","5364","00:00:00.062","245.8kB"],["PING.EXE","4872","00:00:00.031","528.4kB"]],"Titles":["Name","PID","CPU","Private Working Set"]}` + "\n",
		},
		{
			doc:        "a container that is not running is a conflict",
			target:     "/v1.40/containers/" + cece + "/top",
			wantStatus: http.StatusConflict,
			wantBody:   `{"message":"Container ` + cece + ` is not running"}` + "\n",
		},
		{
			doc:        "Windows refuses ps arguments as an untyped error",
			start:      true,
			target:     "/v1.40/containers/" + cece + "/top?ps_args=aux",
			wantStatus: http.StatusInternalServerError,
			wantBody:   `{"message":"Windows does not support arguments to top"}` + "\n",
		},
		{
			doc:        "an unknown container is not found",
			target:     "/v1.40/containers/0123456789ab/top",
			wantStatus: http.StatusNotFound,
			wantBody:   `{"message":"No such container: 0123456789ab"}` + "\n",
		},
		{
			doc:        "an API version above the daemon's is refused as an invalid parameter",
			target:     "/v1.41/containers/" + cece + "/top",
			wantStatus: http.StatusBadRequest,
			wantBody:   `{"message":"client version 1.41 is too new. Maximum supported API version is 1.40"}` + "\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			sim := windowsDaemon(t)
			resp, body := call(t, sim, http.MethodPost, "/v1.40/containers/create?name=conformance-x-windows-process",
				`{"Image":"mcr.microsoft.com/windows/nanoserver:1809","Cmd":["ping","localhost","-t"],"HostConfig":{"Isolation":"process"}}`)
			assert.Equal(t, resp.StatusCode, http.StatusCreated, body)
			if tc.start {
				resp, body = call(t, sim, http.MethodPost, "/v1.40/containers/"+cece+"/start", "")
				assert.Equal(t, resp.StatusCode, http.StatusNoContent, body)
			}

			resp, body = call(t, sim, http.MethodGet, tc.target, "")
			assert.Equal(t, resp.StatusCode, tc.wantStatus)
			assert.Equal(t, body, tc.wantBody)
			assert.Equal(t, resp.Header.Get("Content-Type"), "application/json")
			assert.Equal(t, resp.Header.Get("Api-Version"), "1.40")
			assert.Equal(t, resp.Header.Get("Ostype"), "windows")
			assert.Equal(t, resp.Header.Get("Server"), "Docker/19.03.5 (windows)")
			// The clock moves one second per state change (create, start),
			// never per read.
			wantDate := "Tue, 17 Dec 2019 05:30:01 GMT"
			if tc.start {
				wantDate = "Tue, 17 Dec 2019 05:30:02 GMT"
			}
			assert.Equal(t, resp.Header.Get("Date"), wantDate)
		})
	}
}

func TestSimulatedCreateWritesDefaultIsolation(t *testing.T) {
	tests := []struct {
		doc       string
		os        string
		inspect   string
		wantField container.Isolation
	}{
		{doc: "Windows writes its default isolation at create", os: "windows", wantField: "process"},
		{doc: "Linux keeps the empty isolation", os: "linux", wantField: ""},
		{doc: "a described inspect_isolation wins", os: "windows", inspect: "hyperv", wantField: "hyperv"},
	}
	for _, tc := range tests {
		t.Run(tc.doc, func(t *testing.T) {
			sim := windowsDaemon(t)
			sim.d.Daemon.Info.OSType = tc.os
			sim.d.Containers["default"] = ContainerDesc{ID: cece, InspectIsolation: tc.inspect}
			resp, body := call(t, sim, http.MethodPost, "/v1.40/containers/create?name=c",
				`{"Image":"mcr.microsoft.com/windows/nanoserver:1809","HostConfig":{"Isolation":""}}`)
			assert.Equal(t, resp.StatusCode, http.StatusCreated, body)

			resp, body = call(t, sim, http.MethodGet, "/v1.40/containers/"+cece[:12]+"/json", "")
			assert.Equal(t, resp.StatusCode, http.StatusOK, body)
			var in container.InspectResponse
			assert.NilError(t, json.Unmarshal([]byte(body), &in))
			assert.Equal(t, in.HostConfig.Isolation, tc.wantField)
			assert.Equal(t, in.State.Status, container.StateCreated)
		})
	}
}
