package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"
	"github.com/docker/docker/api/types/storage"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/api/types/versions"

	"github.com/wincontainer-gate/conformance/helpers/claims"
)

// simDaemon answers the Engine API requests the harness sends, the way the
// described daemon would. Every answer's shape and status code follow moby's
// API server; each handler names where. Paths are cited as in moby 19.03 to
// 28 (api/server/...); current moby keeps the same code under daemon/server/.
//
// Nothing here reads the wall clock, a random source or a map in iteration
// order: the clock starts at the description's recorded_at and moves one
// second per state change (create, start, remove, pull), never per read, so a
// poll that asks again and again gets the same answer and the recorder drops
// the repeats.
type simDaemon struct {
	d *Description

	mu           sync.Mutex
	clock        time.Time
	imagePresent bool
	containers   []*simContainer
	// live starts and ends the real processes behind containers when the
	// daemon serves a live host under Wine (wine_windows.go); nil when it
	// generates fixtures, whose processes are described only.
	live liveProcesses
}

// liveProcesses runs what a real Windows engine's containers show on the
// host: Start sets the container's LivePID (the workload of a process
// container, a host process) or starts its VM worker; Stop ends them.
type liveProcesses interface {
	Start(c *simContainer) error
	Stop(c *simContainer)
}

type simContainer struct {
	ID         string
	Name       string
	Desc       ContainerDesc
	Config     container.Config
	HostConfig container.HostConfig
	Status     string // created, running, exited, removing, or removed
	Created    time.Time
	Started    time.Time
	Finished   time.Time
	ExitCode   int
	Error      string
	// LivePIDs are the real PIDs of the top rows, row by row (0: not run),
	// when a live host runs a process container's processes as host
	// processes: top and inspect report them instead of the described ones.
	LivePIDs []int
}

func newSimDaemon(d *Description) (*simDaemon, error) {
	start, err := d.recordedAt()
	if err != nil {
		return nil, err
	}
	return &simDaemon{d: d, clock: start, imagePresent: d.Daemon.Image.Present}, nil
}

// transport calls the simulated daemon in-process: no socket, no goroutine.
// An unreachable daemon fails every request with the described text, which
// the recorder keeps as a transport-error answer.
func (s *simDaemon) transport() http.RoundTripper {
	return roundTripper{s: s}
}

type roundTripper struct{ s *simDaemon }

// bufferBeforeChunking is net/http's server buffer (bufferBeforeChunkingSize
// in net/http/server.go): a handler's answer shorter than this gets a
// Content-Length header, a longer one goes out chunked. The real daemon is a
// net/http server, so its answers have that shape too.
const bufferBeforeChunking = 2048

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	// Read the whole body first: the recorder tees what the transport reads,
	// and a body read only partly would be recorded short.
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	if msg := t.s.d.Daemon.Unreachable; msg != "" {
		return nil, errors.New(msg)
	}
	in := req.Clone(req.Context())
	in.Body = io.NopCloser(bytes.NewReader(body))
	in.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	t.s.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	switch {
	case resp.StatusCode == http.StatusNoContent || req.Method == http.MethodHead:
		resp.ContentLength = 0
	case len(b) < bufferBeforeChunking:
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		resp.ContentLength = int64(len(b))
	default:
		resp.TransferEncoding = []string{"chunked"}
		resp.ContentLength = -1
	}
	return resp, nil
}

var versionedPath = regexp.MustCompile(`^/v([0-9]+\.[0-9]+)(/.*)$`)

// ServeHTTP routes like moby's API server (api/server/server.go): an optional
// /v<version> prefix, then the route. Every answer, errors included, carries
// the version middleware's Server, Api-Version and Ostype headers
// (api/server/middleware/version.go) and the experimental middleware's
// Docker-Experimental header (api/server/middleware/experimental.go); Date is
// net/http's, from the simulated clock.
func (s *simDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.d.Daemon.Version
	h := w.Header()
	h.Set("Server", fmt.Sprintf("Docker/%s (%s)", v.Version, v.Os))
	h.Set("Api-Version", v.APIVersion)
	h.Set("Ostype", v.Os)
	h.Set("Docker-Experimental", strconv.FormatBool(s.d.Daemon.Experimental))
	h.Set("Date", s.clock.Format(http.TimeFormat))

	path := r.URL.Path
	if m := versionedPath.FindStringSubmatch(path); m != nil {
		path = m[2]
		// The version middleware refuses versions outside
		// [MinAPIVersion, ApiVersion] as an invalid parameter: 400.
		switch {
		case versions.LessThan(m[1], v.MinAPIVersion):
			writeError(w, http.StatusBadRequest, fmt.Sprintf("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", m[1], v.MinAPIVersion))
			return
		case versions.GreaterThan(m[1], v.APIVersion):
			writeError(w, http.StatusBadRequest, fmt.Sprintf("client version %s is too new. Maximum supported API version is %s", m[1], v.APIVersion))
			return
		}
	}
	s.finishLingering(path)

	switch {
	case path == "/_ping" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		s.ping(w, r)
	case path == "/version" && r.Method == http.MethodGet:
		s.version(w)
	case path == "/info" && r.Method == http.MethodGet:
		s.info(w)
	case path == "/images/create" && r.Method == http.MethodPost:
		s.pull(w, r)
	case strings.HasPrefix(path, "/images/") && strings.HasSuffix(path, "/json") && r.Method == http.MethodGet:
		s.imageInspect(w, strings.TrimSuffix(strings.TrimPrefix(path, "/images/"), "/json"))
	case path == "/containers/create" && r.Method == http.MethodPost:
		s.create(w, r)
	case path == "/containers/json" && r.Method == http.MethodGet:
		s.list(w, r)
	case strings.HasPrefix(path, "/containers/"):
		s.containerRoute(w, r, strings.TrimPrefix(path, "/containers/"))
	default:
		s.notFound(w)
	}
}

// notFound is the router's answer to a route it does not have: 404
// {"message":"page not found"} (api/server/server.go, notFoundHandler).
func (s *simDaemon) notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "page not found")
}

func (s *simDaemon) containerRoute(w http.ResponseWriter, r *http.Request, rest string) {
	name, action, _ := strings.Cut(rest, "/")
	switch {
	case action == "json" && r.Method == http.MethodGet:
		s.inspect(w, name)
	case action == "start" && r.Method == http.MethodPost:
		s.start(w, name)
	case action == "top" && r.Method == http.MethodGet:
		s.top(w, r, name)
	case action == "" && r.Method == http.MethodDelete:
		s.remove(w, name)
	default:
		s.notFound(w)
	}
}

// writeJSON is httputils.WriteJSON (api/server/httputils/
// httputils_write_json.go):
// Content-Type application/json, the status, and the value encoded with a
// trailing newline and without HTML escaping.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("encode simulated answer: %v", err)) // the API types always encode
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeError is how every handler error reaches the client: JSON
// {"message": "..."} (types.ErrorResponse) with the status code of the
// error's errdefs kind, api/server/httpstatus/status.go: invalid parameter
// 400, not found 404, conflict 409, anything else (system, unknown) 500.
func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, &types.ErrorResponse{Message: message})
}

func (s *simDaemon) writeAPIError(w http.ResponseWriter, e *APIError) {
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	writeError(w, status, e.Message)
}

// tick moves the simulated clock on by one state change.
func (s *simDaemon) tick() time.Time {
	s.clock = s.clock.Add(time.Second)
	return s.clock
}

// ping is GET and HEAD /_ping (api/server/router/system/system_routes.go,
// pingHandler): 200 with Cache-Control and Pragma no-cache, the API version in
// Api-Version and the OS in Ostype (both from the version middleware),
// Docker-Experimental; engines since 23.0 add Swarm, and those that know
// their builder add Builder-Version. HEAD answers an empty text/plain body
// with Content-Length 0, GET answers "OK".
func (s *simDaemon) ping(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Cache-Control", "no-cache, no-store, must-revalidate")
	h.Add("Pragma", "no-cache")
	for _, k := range sortedKeys(s.d.Daemon.PingHeaders) {
		h.Set(k, s.d.Daemon.PingHeaders[k])
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method == http.MethodHead {
		h.Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("OK"))
}

// version is GET /version (system_routes.go, getVersion): 200 with
// types.Version: Platform.Name, the Engine component with its details, then
// the same facts flat (Version, ApiVersion, MinAPIVersion, GitCommit,
// GoVersion, Os, Arch, KernelVersion, BuildTime) for older clients. Windows
// engines of the 19.03 era report BuildTime in the local "MM/DD/YYYY
// hh:mm:ss" form the documented session shows.
func (s *simDaemon) version(w http.ResponseWriter) {
	v := s.d.Daemon.Version
	out := types.Version{
		Version:       v.Version,
		APIVersion:    v.APIVersion,
		MinAPIVersion: v.MinAPIVersion,
		GitCommit:     v.GitCommit,
		GoVersion:     v.GoVersion,
		Os:            v.Os,
		Arch:          v.Arch,
		KernelVersion: v.KernelVersion,
		Experimental:  s.d.Daemon.Experimental,
		BuildTime:     v.BuildTime,
	}
	out.Platform.Name = v.PlatformName
	out.Components = []types.ComponentVersion{{
		Name:    "Engine",
		Version: v.Version,
		Details: map[string]string{
			"ApiVersion":    v.APIVersion,
			"Arch":          v.Arch,
			"BuildTime":     v.BuildTime,
			"Experimental":  strconv.FormatBool(s.d.Daemon.Experimental),
			"GitCommit":     v.GitCommit,
			"GoVersion":     v.GoVersion,
			"KernelVersion": v.KernelVersion,
			"MinAPIVersion": v.MinAPIVersion,
			"Os":            v.Os,
		},
	}}
	for _, c := range v.Components {
		out.Components = append(out.Components, types.ComponentVersion{
			Name: c.Name, Version: c.Version, Details: map[string]string{"GitCommit": c.GitCommit},
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// info is GET /info (system_routes.go, getInfo; the facts from
// daemon/info.go): 200 with system.Info. On Windows OSType "windows", Driver
// "windowsfilter", KernelVersion "10.0 <build> (<BuildLabEx>)", Isolation the
// daemon's default isolation (daemon/daemon_windows.go: process on Server,
// hyperv on client SKUs, or --exec-opt isolation=); a Linux daemon reports
// Isolation "" (daemon/info.go fills it only on Windows).
func (s *simDaemon) info(w http.ResponseWriter) {
	i := s.d.Daemon.Info
	out := system.Info{
		ID:                 i.ID,
		Driver:             i.Driver,
		DriverStatus:       [][2]string{},
		LoggingDriver:      orDefault(i.LoggingDriver, "json-file"),
		CgroupDriver:       i.CgroupDriver,
		CgroupVersion:      i.CgroupVersion,
		SystemTime:         s.clock.Format(time.RFC3339Nano),
		KernelVersion:      i.KernelVersion,
		OperatingSystem:    i.OperatingSystem,
		OSVersion:          i.OSVersion,
		OSType:             i.OSType,
		Architecture:       i.Architecture,
		IndexServerAddress: "https://index.docker.io/v1/",
		RegistryConfig: &registry.ServiceConfig{
			IndexConfigs: map[string]*registry.IndexInfo{
				"docker.io": {Name: "docker.io", Mirrors: []string{}, Secure: true, Official: true},
			},
			Mirrors: []string{},
		},
		NCPU:           i.NCPU,
		MemTotal:       i.MemTotal,
		DockerRootDir:  i.DockerRootDir,
		Name:           i.Name,
		Labels:         []string{},
		ServerVersion:  i.ServerVersion,
		DefaultRuntime: i.DefaultRuntime,
		Isolation:      container.Isolation(i.Isolation),
		Plugins: system.PluginsInfo{
			Volume:  []string{"local"},
			Network: s.networkPlugins(),
			Log:     []string{"awslogs", "etwlogs", "fluentd", "gcplogs", "gelf", "json-file", "local", "logentries", "splunk", "syslog"},
		},
		ExperimentalBuild: s.d.Daemon.Experimental,
		Swarm:             swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
	}
	if i.OSType == "linux" {
		out.Plugins.Log = []string{"awslogs", "fluentd", "gcplogs", "gelf", "journald", "json-file", "local", "logentries", "splunk", "syslog"}
	}
	if s.imagePresent {
		out.Images = 1
	}
	for _, c := range s.containers {
		switch c.Status {
		case container.StateRunning:
			out.Containers++
			out.ContainersRunning++
		case container.StateCreated, container.StateExited:
			out.Containers++
			out.ContainersStopped++
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *simDaemon) networkPlugins() []string {
	if s.d.Daemon.Info.OSType == "windows" {
		return []string{"ics", "internal", "l2bridge", "l2tunnel", "nat", "null", "overlay", "private", "transparent"}
	}
	return []string{"bridge", "host", "ipvlan", "macvlan", "null", "overlay"}
}

// imageInspect is GET /images/{name}/json (api/server/router/image/
// image_routes.go, getImagesByName): 200 with image.InspectResponse (Id,
// RepoTags, Os, OsVersion on Windows like "10.0.17763.864", Architecture,
// Size, RootFS, GraphDriver), or 404 {"message":"No such image: <ref>"}
// (daemon/images/image.go, ErrImageDoesNotExist).
func (s *simDaemon) imageInspect(w http.ResponseWriter, name string) {
	img := s.d.Daemon.Image
	if !s.imagePresent || !s.isImage(name) {
		writeError(w, http.StatusNotFound, "No such image: "+name)
		return
	}
	layer := fakeDigest(img.ID + "/layer")
	out := image.InspectResponse{
		ID:           img.ID,
		RepoTags:     []string{img.Ref},
		RepoDigests:  []string{},
		Created:      img.Created,
		Os:           img.Os,
		OsVersion:    img.OsVersion,
		Architecture: img.Architecture,
		Size:         img.Size,
		GraphDriver: storage.DriverData{
			Name: s.d.Daemon.Info.Driver,
			Data: map[string]string{"dir": s.layerDir(layer)},
		},
		RootFS: image.RootFS{Type: "layers", Layers: []string{"sha256:" + layer}},
	}
	if img.RepoDigest != "" {
		out.RepoDigests = []string{img.RepoDigest}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *simDaemon) isImage(name string) bool {
	img := s.d.Daemon.Image
	id := strings.TrimPrefix(img.ID, "sha256:")
	return name == img.Ref || name == img.ID || (len(name) >= 12 && strings.HasPrefix(id, name))
}

func (s *simDaemon) layerDir(id string) string {
	root := s.d.Daemon.Info.DockerRootDir
	if s.d.Daemon.Info.OSType == "windows" {
		return root + `\windowsfilter\` + id
	}
	return root + "/overlay2/" + id + "/diff"
}

// pull is POST /images/create?fromImage=&tag= (image_routes.go,
// postImagesCreate). A pull that fails before any progress was written is an
// ordinary error answer: a repository that does not exist is errdefs
// NotFound, 404 "pull access denied for <name>, repository does not exist or
// may require 'docker login'" (distribution/errors.go). A pull that works
// streams JSON progress messages with status 200 (the status line goes out
// with the first write).
func (s *simDaemon) pull(w http.ResponseWriter, r *http.Request) {
	img := s.d.Daemon.Image
	// The client sends the normalized name (docker.io/library/busybox);
	// the daemon's messages use the familiar one (busybox).
	repo := familiarName(r.URL.Query().Get("fromImage"))
	ref := repo
	if tag := r.URL.Query().Get("tag"); tag != "" {
		ref += ":" + tag
	}
	s.tick()
	if e := img.PullError; e != nil && e.Stream {
		// Errors found after the progress started (a manifest list without
		// the host's build, a layer the registry lacks) arrive in the stream
		// with status 200, after the "Pulling from" line: the CLI prints
		// "<tag>: Pulling from <repo>" then the error (moby
		// daemon/server/router/image: once output is flushed, the error is
		// written as a JSON message with errorDetail).
		name, tag, _ := strings.Cut(img.Ref, ":")
		_, short, _ := strings.Cut(name, "/")
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		_ = enc.Encode(map[string]string{"status": "Pulling from " + short, "id": tag})
		_ = enc.Encode(map[string]any{"errorDetail": map[string]string{"message": e.Message}, "error": e.Message})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
		return
	}
	if img.PullError != nil || ref != familiarName(img.Ref) {
		e := img.PullError
		if e == nil {
			e = &APIError{Status: http.StatusNotFound, Message: fmt.Sprintf("pull access denied for %s, repository does not exist or may require 'docker login'", repo)}
		}
		s.writeAPIError(w, e)
		return
	}
	name, tag, _ := strings.Cut(img.Ref, ":")
	_, short, _ := strings.Cut(name, "/")
	layer := fakeDigest(img.ID + "/layer")[:12]
	digest := img.RepoDigest
	if _, d, ok := strings.Cut(digest, "@"); ok {
		digest = d
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, m := range []map[string]string{
		{"status": "Pulling from " + short, "id": tag},
		{"status": "Pulling fs layer", "id": layer},
		{"status": "Download complete", "id": layer},
		{"status": "Pull complete", "id": layer},
		{"status": "Digest: " + digest},
		{"status": "Status: Downloaded newer image for " + img.Ref},
	} {
		_ = enc.Encode(m)
	}
	s.imagePresent = true
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// create is POST /containers/create?name= (api/server/router/container/
// container_routes.go, postContainersCreate): 201 with container.CreateResponse
// {"Id", "Warnings": []}, or an error answer. A Linux daemon refuses a
// Windows isolation mode here, when it validates the host config
// (runconfig/hostconfig_unix.go, validateIsolation): 20.10 returns an
// untyped fmt.Errorf, so 500 `Invalid isolation: "hyperv" - linux only
// supports 'default'` (measured on Debian's docker.io 20.10 too); current
// moby a validation error, so 400 "invalid isolation (hyperv): linux only
// supports 'default'" (daemon/internal/runconfig/hostconfig_unix.go). The
// description gives the status and the words. A Windows
// daemon writes its default isolation into HostConfig.Isolation when the
// request names none (daemon/create_windows.go,
// createContainerOSSpecificSettings), so inspect never shows "" there.
func (s *simDaemon) create(w http.ResponseWriter, r *http.Request) {
	var req container.CreateRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON: "+err.Error())
		return
	}
	if req.Config == nil {
		writeError(w, http.StatusBadRequest, "config cannot be empty in order to create a container")
		return
	}
	var hc container.HostConfig
	if req.HostConfig != nil {
		hc = *req.HostConfig
	}
	mode := string(hc.Isolation)
	if mode == "" {
		mode = "default"
	}
	desc, ok := s.d.Containers[mode]
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("fixturegen: description has no containers.%s for this request", mode))
		return
	}
	if desc.CreateError != nil {
		s.writeAPIError(w, desc.CreateError)
		return
	}
	if !s.imagePresent || !s.isImage(req.Config.Image) {
		writeError(w, http.StatusNotFound, "No such image: "+req.Config.Image)
		return
	}
	name := "/" + r.URL.Query().Get("name")
	for _, c := range s.containers {
		if c.Status != "removed" && (c.Name == name || c.ID == desc.ID) {
			writeError(w, http.StatusConflict, fmt.Sprintf("Conflict. The container name %q is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.", name, c.ID))
			return
		}
	}
	switch {
	case desc.InspectIsolation != "":
		hc.Isolation = container.Isolation(desc.InspectIsolation)
	case s.d.Daemon.Info.OSType == "windows" && hc.Isolation.IsDefault():
		hc.Isolation = container.Isolation(s.d.Daemon.Info.Isolation)
	}
	c := &simContainer{
		ID: desc.ID, Name: name, Desc: desc,
		Config: *req.Config, HostConfig: hc,
		Status: container.StateCreated, Created: s.tick(),
	}
	if c.Config.Hostname == "" {
		c.Config.Hostname = c.ID[:12]
	}
	s.containers = append(s.containers, c)
	writeJSON(w, http.StatusCreated, container.CreateResponse{ID: c.ID, Warnings: []string{}})
}

// find resolves a container the way the daemon's container store does
// (daemon/container/view.go, GetByName/GetByPrefix): full ID, name, or unique
// ID prefix. A removed container is 404 "No such container: <name>".
func (s *simDaemon) find(w http.ResponseWriter, name string) *simContainer {
	for _, c := range s.containers {
		if c.Status == "removed" {
			continue
		}
		if c.ID == name || c.Name == "/"+name || c.Name == name || (name != "" && strings.HasPrefix(c.ID, name)) {
			return c
		}
	}
	writeError(w, http.StatusNotFound, "No such container: "+name)
	return nil
}

// start is POST /containers/{id}/start (container_routes.go,
// postContainersStart): 204 with no body, or an error answer. Windows start
// failures come from the host compute service and are untyped, so 500: the
// image mismatch `hcsshim::CreateComputeSystem <id>: The container operating
// system does not match the host operating system.`, a missing hypervisor
// `... No hypervisor is present on this system.`. A failed start leaves the
// container created with exit code 128 and the error in State.Error
// (daemon/start.go).
func (s *simDaemon) start(w http.ResponseWriter, name string) {
	c := s.find(w, name)
	if c == nil {
		return
	}
	now := s.tick()
	if c.Status == container.StateRunning {
		w.WriteHeader(http.StatusNotModified) // container_routes.go: already started is 304
		return
	}
	if e := c.Desc.StartError; e != nil {
		c.ExitCode, c.Error = 128, e.Message
		s.writeAPIError(w, e)
		return
	}
	if s.live != nil && c.Desc.Exits == nil {
		if err := s.live.Start(c); err != nil {
			c.ExitCode, c.Error = 128, err.Error()
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	c.Started = now
	if x := c.Desc.Exits; x != nil {
		c.Status, c.ExitCode, c.Error, c.Finished = container.StateExited, x.Code, x.Error, now
	} else {
		c.Status = container.StateRunning
	}
	w.WriteHeader(http.StatusNoContent)
}

// inspect is GET /containers/{id}/json (api/server/router/container/
// inspect.go, getContainersByName): 200 with container.InspectResponse (State with
// Status, Running, Pid, ExitCode, Error; HostConfig.Isolation; Config with
// the labels), or 404 "No such container: <id>". A container whose removal
// is still going on shows State.Status "removing" (daemon/container/state.go).
func (s *simDaemon) inspect(w http.ResponseWriter, name string) {
	c := s.find(w, name)
	if c == nil {
		return
	}
	windows := s.d.Daemon.Info.OSType == "windows"
	state := &container.State{
		Status:     c.Status,
		Running:    c.Status == container.StateRunning,
		ExitCode:   c.ExitCode,
		Error:      c.Error,
		StartedAt:  zeroTime(c.Started),
		FinishedAt: zeroTime(c.Finished),
	}
	if state.Running {
		state.Pid = c.pid()
	}
	hc := c.HostConfig
	if hc.NetworkMode == "" {
		hc.NetworkMode = "default"
	}
	if hc.LogConfig.Type == "" {
		hc.LogConfig = container.LogConfig{Type: "json-file", Config: map[string]string{}}
	}
	root := s.d.Daemon.Info.DockerRootDir
	sep := "/"
	if windows {
		sep = `\`
	}
	dir := root + sep + "containers" + sep + c.ID
	base := &container.ContainerJSONBase{
		ID:           c.ID,
		Created:      c.Created.Format(time.RFC3339Nano),
		State:        state,
		Image:        s.d.Daemon.Image.ID,
		HostnamePath: dir + sep + "hostname",
		HostsPath:    dir + sep + "hosts",
		LogPath:      dir + sep + c.ID + "-json.log",
		Name:         c.Name,
		Driver:       s.d.Daemon.Info.Driver,
		Platform:     s.d.Daemon.Info.OSType,
		HostConfig:   &hc,
		GraphDriver:  storage.DriverData{Name: s.d.Daemon.Info.Driver, Data: map[string]string{"dir": s.layerDir(c.ID)}},
	}
	if len(c.Config.Cmd) > 0 {
		base.Path, base.Args = c.Config.Cmd[0], append([]string{}, c.Config.Cmd[1:]...)
	}
	if !windows {
		base.ResolvConfPath = dir + "/resolv.conf"
	}
	cfg := c.Config
	writeJSON(w, http.StatusOK, container.InspectResponse{
		ContainerJSONBase: base,
		Mounts:            []container.MountPoint{},
		Config:            &cfg,
	})
}

func zeroTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.Format(time.RFC3339Nano)
}

// topTitles are the columns of GET /containers/{id}/top: on Windows
// daemon/top_windows.go answers Name, PID, CPU (HH:MM:SS.mmm) and Private
// Working Set (a human size); on Linux daemon/top_unix.go runs `ps -ef`.
func (s *simDaemon) topTitles() []string {
	if s.d.Daemon.Info.OSType == "windows" {
		return []string{"Name", "PID", "CPU", "Private Working Set"}
	}
	return []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}
}

// top is GET /containers/{id}/top (container_routes.go, getContainersTop): 200
// with container.TopResponse {Titles, Processes}. A container that is not
// running is a conflict, 409 "Container <id> is not running" (daemon/errors.go,
// errNotRunning; "container ..." in lower case since 25.0). Windows refuses ps arguments as an
// untyped error, 500 "Windows does not support arguments to top"
// (daemon/top_windows.go).
func (s *simDaemon) top(w http.ResponseWriter, r *http.Request, name string) {
	c := s.find(w, name)
	if c == nil {
		return
	}
	if s.d.Daemon.Info.OSType == "windows" && r.URL.Query().Get("ps_args") != "" {
		writeError(w, http.StatusInternalServerError, "Windows does not support arguments to top")
		return
	}
	if c.Status != container.StateRunning {
		word := "Container"
		if major, _, _ := strings.Cut(s.d.Daemon.Version.Version, "."); versions.GreaterThanOrEqualTo(major, "25") {
			word = "container"
		}
		writeError(w, http.StatusConflict, fmt.Sprintf("%s %s is not running", word, c.ID))
		return
	}
	procs := c.Desc.Top
	if procs == nil {
		procs = [][]string{}
	}
	if c.LivePIDs != nil {
		procs = withLivePIDs(procs, c.LivePIDs)
	}
	titles := s.topTitles()
	if len(c.Desc.TopTitles) > 0 {
		// Docker 1.12 on Windows: "Processes" is null (v1.12.x daemon/top_windows.go).
		titles, procs = c.Desc.TopTitles, c.Desc.Top
	}
	writeJSON(w, http.StatusOK, container.TopResponse{Titles: titles, Processes: procs})
}

// remove is DELETE /containers/{id}?force=1 (container_routes.go,
// deleteContainers): 204 with no body once the container is gone; 404 for an
// unknown one; a second removal while one is in progress is a conflict, 409
// "removal of container <id> is already in progress" (daemon/delete.go).
// A container described as lingering answers 204 but stays visible as
// "removing" for the rest of the step (see finishLingering).
func (s *simDaemon) remove(w http.ResponseWriter, name string) {
	c := s.find(w, name)
	if c == nil {
		return
	}
	if c.Status == container.StateRemoving {
		writeError(w, http.StatusConflict, fmt.Sprintf("removal of container %s is already in progress", name))
		return
	}
	now := s.tick()
	if s.live != nil {
		s.live.Stop(c)
	}
	if c.Status == container.StateRunning {
		c.Finished = now
		// SIGKILL's 128+9 on Linux; a Windows container stopped from
		// outside commonly reports 0xC000013A (STATUS_CONTROL_C_EXIT).
		c.ExitCode = 137
		if s.d.Daemon.Info.OSType == "windows" {
			c.ExitCode = 3221225786
		}
	}
	c.Status = "removed"
	if c.Desc.Removal == "lingers" {
		c.Status = container.StateRemoving
	}
	w.WriteHeader(http.StatusNoContent)
}

// finishLingering ends the removal of lingering containers when a request
// arrives for anything but that container: the removal outlasts the step that
// waited for it, and is over by the time the harness moves on.
func (s *simDaemon) finishLingering(path string) {
	for _, c := range s.containers {
		if c.Status != container.StateRemoving {
			continue
		}
		if strings.HasPrefix(path, "/containers/"+c.ID) {
			continue
		}
		c.Status = "removed"
	}
}

// list is GET /containers/json?all=1&filters= (container_routes.go,
// getContainersJSON; daemon/list.go): 200 with a JSON array of
// container.Summary, filtered here by label as the harness asks; "[]" when
// nothing matches.
func (s *simDaemon) list(w http.ResponseWriter, r *http.Request) {
	args, err := filters.FromJSON(r.URL.Query().Get("filters"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	all := r.URL.Query().Get("all") == "1" || r.URL.Query().Get("all") == "true"
	out := []container.Summary{}
	for _, c := range s.containers {
		if c.Status == "removed" || (!all && c.Status != container.StateRunning) {
			continue
		}
		if !args.MatchKVList("label", c.Config.Labels) {
			continue
		}
		sum := container.Summary{
			ID:      c.ID,
			Names:   []string{c.Name},
			Image:   c.Config.Image,
			ImageID: s.d.Daemon.Image.ID,
			Command: strings.Join(c.Config.Cmd, " "),
			Created: c.Created.Unix(),
			Ports:   []container.Port{},
			Labels:  c.Config.Labels,
			State:   c.Status,
			Status:  c.statusText(),
			Mounts:  []container.MountPoint{},
		}
		sum.HostConfig.NetworkMode = "default"
		out = append(out, sum)
	}
	writeJSON(w, http.StatusOK, out)
}

func (c *simContainer) statusText() string {
	switch c.Status {
	case container.StateRunning:
		return "Up Less than a second"
	case container.StateRemoving:
		return "Removal In Progress"
	case container.StateExited:
		return fmt.Sprintf("Exited (%d) Less than a second ago", c.ExitCode)
	}
	return "Created"
}

// withLivePIDs is the described top rows with each PID that runs as a real
// process (non-zero in pids) replaced by the real one.
func withLivePIDs(rows [][]string, pids []int) [][]string {
	out := make([][]string, 0, len(rows))
	for i, row := range rows {
		if len(row) > 1 && i < len(pids) && pids[i] != 0 {
			row = append([]string{row[0], strconv.Itoa(pids[i])}, row[2:]...)
		}
		out = append(out, row)
	}
	return out
}

// pid is State.Pid: the live workload's, the description's, or the
// workload's PID from top.
func (c *simContainer) pid() int {
	for i, row := range c.Desc.Top {
		if i < len(c.LivePIDs) && c.LivePIDs[i] != 0 && len(row) > 0 && isWorkload(strings.TrimSpace(row[0])) {
			return c.LivePIDs[i]
		}
	}
	if c.Desc.PID != 0 {
		return c.Desc.PID
	}
	for _, p := range c.topProcesses() {
		if isWorkload(p.Name) {
			return p.PID
		}
	}
	return 0
}

type topProcess struct {
	Name string
	PID  int
}

// topProcesses reads the name and PID columns of the described top rows:
// Windows rows start Name, PID; Linux rows are ps -ef (PID second, CMD last,
// whose first word's base name is the process's comm).
func (c *simContainer) topProcesses() []topProcess {
	var out []topProcess
	if legacy := (&container.TopResponse{Titles: c.Desc.TopTitles, Processes: c.Desc.Top}); claims.LegacyWindowsTop(legacy) {
		procs, _ := claims.TopProcesses(legacy)
		for _, p := range procs {
			out = append(out, topProcess{Name: p.Name, PID: p.PID})
		}
		return out
	}
	for _, row := range c.Desc.Top {
		if len(row) < 2 {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(row[1]))
		if err != nil {
			continue
		}
		name := strings.TrimSpace(row[0])
		if len(row) == 8 { // ps -ef: UID PID PPID C STIME TTY TIME CMD
			name = row[7]
			if f := strings.Fields(name); len(f) > 0 {
				name = f[0]
			}
			if i := strings.LastIndex(name, "/"); i >= 0 {
				name = name[i+1:]
			}
		}
		out = append(out, topProcess{Name: name, PID: pid})
	}
	return out
}

func isWorkload(name string) bool {
	n := strings.ToLower(name)
	return n == "ping.exe" || n == "ping"
}

// snapshotContainers copies every container the daemon knows, in creation order.
func (s *simDaemon) snapshotContainers() []simContainer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]simContainer, 0, len(s.containers))
	for _, c := range s.containers {
		out = append(out, *c)
	}
	return out
}

// fakeDigest is a stable 64-hex digest for a value the description does not
// give (layer ids): the same input always yields the same digest.
func fakeDigest(seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// familiarName drops the default registry and library/ prefixes, as
// reference.FamiliarName does.
func familiarName(name string) string {
	name = strings.TrimPrefix(name, "docker.io/")
	return strings.TrimPrefix(name, "library/")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}

// now is the simulated clock, for the host probe's snapshot times.
func (s *simDaemon) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock
}
