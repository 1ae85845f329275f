package main

// The live Windows host of `make wine` (docs/wine.md): the simulated Docker
// Engine of one described host, served on the engine's default named pipe
// (listenPipe: synchronous, as Wine needs) by
// a real Windows service, beside stand-ins for vmcompute and vmms, so that the
// gate's Windows live path (pipe, service manager, process table) runs
// end to end under Wine. One binary plays every part, chosen by its file
// name or its first argument:
//
//	fixturegen.exe wine setup <folder> <description root> <name>   register and start the services (binaries copied into <folder>)
//	fixturegen.exe wine teardown <folder>                          stop and delete them; fail if any of their processes remains
//	dockerd.exe wine service docker <description root> <name>      the engine on \\.\pipe\docker_engine (started by the service manager)
//	vmcompute.exe wine service vmcompute                           starts and ends vmwp.exe for Hyper-V containers
//	vmms.exe wine service vmms                                     runs
//	container\<name>, vmwp.exe, wine-session.exe                  a process container's process, a VM worker, the session holder: run until ended

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Microsoft/go-winio"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/mgr"

	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

const (
	// enginePipe is the Docker Engine's default address on Windows (the
	// docker client's DefaultDockerHost npipe:////./pipe/docker_engine).
	enginePipe = `\\.\pipe\docker_engine`
	// vmcomputePipe is how the engine stand-in asks the vmcompute stand-in
	// for a VM worker: "start <id>" answers the worker's PID, "stop <id>" ends it.
	vmcomputePipe = `\\.\pipe\conformance-wine-vmcompute`
	// containerFolder holds the copies a process container's processes run
	// as, one per name (the workload, PING.EXE).
	containerFolder = "container"
	// sessionImage keeps the Wine session open from setup to teardown:
	// wineserver shuts the service manager and its services down when the
	// last ordinary process of the prefix exits.
	sessionImage = "wine-session.exe"
	workerImage  = hostprobe.WorkerName
)

// wineServices are the stand-ins, with the binary that runs each and its
// start type: docker as Docker Desktop registers it (demand start on a
// client), vmcompute demand start, vmms automatic, as Windows installs them.
var wineServices = []struct {
	name, binary string
	startType    uint32
}{
	{"vmcompute", "vmcompute.exe", mgr.StartManual},
	{"vmms", "vmms.exe", mgr.StartAutomatic},
	{"docker", "dockerd.exe", mgr.StartManual},
}

// standInImages are the image names the stand-ins run under.
var standInImages = []string{"dockerd.exe", "vmcompute.exe", "vmms.exe", workerImage}

func wineMain(args []string) bool {
	name := strings.ToLower(filepath.Base(args[0]))
	inContainer := strings.EqualFold(filepath.Base(filepath.Dir(args[0])), containerFolder)
	if inContainer || name == strings.ToLower(workerImage) || name == sessionImage {
		for { // a container's process, a VM worker or the session holder: runs until it is ended
			time.Sleep(time.Hour)
		}
	}
	if len(args) < 3 || args[1] != "wine" {
		return false
	}
	var err error
	switch {
	case args[2] == "setup" && len(args) == 6:
		err = setupServices(args[3], args[4], args[5])
	case args[2] == "teardown" && len(args) == 4:
		err = teardownServices(args[3])
	case args[2] == "service" && len(args) >= 4:
		err = runService(args[3], args[4:])
	default:
		err = fmt.Errorf("unknown wine command %q", strings.Join(args[1:], " "))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen wine:", err)
		os.Exit(1)
	}
	return true
}

// setupServices copies this binary under each stand-in's name into folder,
// registers the services and starts docker (which starts nothing else: the
// harness finds vmcompute and vmms running because they are started here too).
func setupServices(folder, root, name string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// The service manager starts a binary by its full path with a drive.
	if folder, err = filepath.Abs(folder); err != nil {
		return err
	}
	for _, image := range standInImages {
		if err := copyFile(self, filepath.Join(folder, image)); err != nil {
			return err
		}
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager: %w", err)
	}
	defer m.Disconnect()
	for _, ws := range wineServices {
		args := []string{"wine", "service", ws.name}
		if ws.name == "docker" {
			abs, err := filepath.Abs(root)
			if err != nil {
				return err
			}
			args = append(args, abs, name)
		}
		s, err := m.CreateService(ws.name, filepath.Join(folder, ws.binary), mgr.Config{
			StartType: ws.startType, DisplayName: ws.name + " (conformance gate stand-in under Wine)",
		}, args...)
		if err != nil {
			return fmt.Errorf("create service %s: %w", ws.name, err)
		}
		err = s.Start()
		if err == nil {
			err = waitState(s, svc.Running)
		}
		s.Close()
		if err != nil {
			return fmt.Errorf("start service %s: %w", ws.name, err)
		}
	}
	return nil
}

// teardownServices stops and deletes every stand-in service that exists,
// then checks that none of their processes remains; everything it could not
// do is reported, all at once.
func teardownServices(folder string) error {
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("connect to the service manager: %w", err)
	}
	defer m.Disconnect()
	var errs []error
	for i := len(wineServices) - 1; i >= 0; i-- {
		name := wineServices[i].name
		s, err := m.OpenService(name)
		if err != nil {
			continue // not registered: nothing to remove
		}
		if st, err := s.Query(); err == nil && st.State != svc.Stopped {
			if _, err := s.Control(svc.Stop); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", name, err))
			} else if err := waitState(s, svc.Stopped); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", name, err))
			}
		}
		if err := s.Delete(); err != nil {
			errs = append(errs, fmt.Errorf("delete %s: %w", name, err))
		}
		s.Close()
	}
	snap, err := hostprobe.Live().Processes(context.Background(), "teardown")
	if err != nil {
		errs = append(errs, err)
	}
	for _, image := range leftoverImages(folder) {
		for _, p := range snap.Named(image) {
			if p.PID == snap.SelfPID {
				continue
			}
			errs = append(errs, fmt.Errorf("%s (PID %d) still runs after teardown", p.Name, p.PID))
		}
	}
	return errors.Join(errs...)
}

// leftoverImages are the names no process may have after teardown: the
// stand-ins' and those of the container processes, but for a name Wine's own
// system32 also has (services.exe, svchost.exe): Wine runs those itself.
func leftoverImages(folder string) []string {
	images := append([]string(nil), standInImages...)
	entries, _ := os.ReadDir(filepath.Join(folder, containerFolder))
	system32 := filepath.Join(os.Getenv("SystemRoot"), "System32")
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(system32, e.Name())); err == nil {
			continue
		}
		images = append(images, e.Name())
	}
	return images
}

func waitState(s *mgr.Service, want svc.State) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := s.Query()
		if err != nil {
			return err
		}
		if st.State == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("state %d after 30 s, want %d", st.State, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}

// runService runs one stand-in under the service control manager until it
// is told to stop.
func runService(name string, args []string) error {
	var run func(stop <-chan struct{}) error
	switch name {
	case "docker":
		if len(args) != 2 {
			return errors.New("service docker: want <description root> <name>")
		}
		run = func(stop <-chan struct{}) error { return serveEngine(args[0], args[1], stop) }
	case "vmcompute":
		run = serveVmcompute
	case "vmms":
		run = func(stop <-chan struct{}) error { <-stop; return nil }
	default:
		return fmt.Errorf("no stand-in for service %q", name)
	}
	// A service has no console: what goes wrong is written beside the
	// binary, for scripts/wine.sh to show.
	if self, err := os.Executable(); err == nil {
		if f, err := os.Create(filepath.Join(filepath.Dir(self), name+".log")); err == nil {
			os.Stderr = f
			_ = windows.SetStdHandle(windows.STD_ERROR_HANDLE, windows.Handle(f.Fd())) // the runtime's own crash report too
			defer f.Close()
		}
	}
	err := svc.Run(name, standIn{run: run})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	return err
}

type standIn struct {
	run func(stop <-chan struct{}) error
}

func (h standIn) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", r)
			}
		}()
		done <- h.run(stop)
	}()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case err := <-done:
			fmt.Fprintln(os.Stderr, "stand-in ended:", err)
			status <- svc.Status{State: svc.Stopped}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return true, 1
			}
			return false, 0
		case r := <-requests:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				status <- svc.Status{State: svc.StopPending}
				close(stop)
				err := <-done
				status <- svc.Status{State: svc.Stopped}
				if err != nil {
					return true, 1
				}
				return false, 0
			}
		}
	}
}

// serveEngine serves the described daemon on the engine's pipe, with real
// processes behind its containers, until stop; then it ends them all.
func serveEngine(root, name string, stop <-chan struct{}) error {
	d, err := loadDescription(root, name)
	if err != nil {
		return err
	}
	sim, err := newSimDaemon(d)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	procs := &hostProcesses{folder: filepath.Dir(self), running: map[string][]*exec.Cmd{}}
	sim.live = procs
	l, err := listenPipe(enginePipe)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", enginePipe, err)
	}
	fmt.Fprintf(os.Stderr, "serving %s on %s\n", d.Source, enginePipe)
	logged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(os.Stderr, "%s %s\n", r.Method, r.URL)
		sim.ServeHTTP(w, r)
	})
	server := &http.Server{Handler: logged, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = server.Serve(l) }()
	<-stop
	_ = server.Close()
	procs.stopAll()
	return nil
}

// hostProcesses starts a process container's processes as host processes
// and asks the vmcompute stand-in for a Hyper-V container's VM worker.
type hostProcesses struct {
	folder  string
	mu      sync.Mutex
	running map[string][]*exec.Cmd
	workers []string
}

func (h *hostProcesses) Start(c *simContainer) error {
	if string(c.HostConfig.Isolation) == "hyperv" {
		pid, err := askVmcompute("start " + c.ID)
		if err != nil {
			return fmt.Errorf("hcsshim::CreateComputeSystem %s: %w", c.ID, err)
		}
		h.mu.Lock()
		h.workers = append(h.workers, c.ID)
		h.mu.Unlock()
		_ = pid
		return nil
	}
	// A process container's workload is a host process: its top row
	// becomes a real process of its name (a copy of this binary), whose PID
	// top and inspect report. The container's session processes (smss.exe,
	// csrss.exe, CExecSvc.exe, ...) are not started: Wine has one session,
	// so they would run in the harness's own, where a container agent is
	// the gate's sign that it runs inside a container; their described PIDs
	// stay, and the gate says they are not host processes.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir := filepath.Join(h.folder, containerFolder)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var pids []int
	for _, row := range c.Desc.Top {
		if len(row) == 0 || !isWorkload(strings.TrimSpace(row[0])) {
			pids = append(pids, 0)
			continue
		}
		image := filepath.Join(dir, strings.TrimSpace(row[0]))
		if _, err := os.Stat(image); err != nil {
			if err := copyFile(self, image); err != nil {
				return err
			}
		}
		cmd := exec.Command(image)
		if err := cmd.Start(); err != nil {
			h.Stop(c)
			return fmt.Errorf("container %s: start %s: %w", c.ID, row[0], err)
		}
		h.mu.Lock()
		h.running[c.ID] = append(h.running[c.ID], cmd)
		h.mu.Unlock()
		pids = append(pids, cmd.Process.Pid)
	}
	c.LivePIDs = pids
	return nil
}

func (h *hostProcesses) Stop(c *simContainer) {
	h.mu.Lock()
	cmds := h.running[c.ID]
	delete(h.running, c.ID)
	h.mu.Unlock()
	for _, cmd := range cmds {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	if string(c.HostConfig.Isolation) == "hyperv" {
		_, _ = askVmcompute("stop " + c.ID)
	}
}

func (h *hostProcesses) stopAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, cmds := range h.running {
		for _, cmd := range cmds {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		delete(h.running, id)
	}
	for _, id := range h.workers {
		_, _ = askVmcompute("stop " + id)
	}
	h.workers = nil
}

func askVmcompute(request string) (int, error) {
	timeout := 10 * time.Second
	conn, err := winio.DialPipe(vmcomputePipe, &timeout)
	if err != nil {
		return 0, fmt.Errorf("vmcompute: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if _, err := fmt.Fprintln(conn, request); err != nil {
		return 0, fmt.Errorf("vmcompute: %w", err)
	}
	answer, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return 0, fmt.Errorf("vmcompute: %w", err)
	}
	answer = strings.TrimSpace(answer)
	if msg, failed := strings.CutPrefix(answer, "error "); failed {
		return 0, errors.New(msg)
	}
	return strconv.Atoi(answer)
}

// serveVmcompute starts one vmwp.exe per Hyper-V container, as vmcompute
// starts a utility VM's worker, and ends it when the container is removed.
func serveVmcompute(stop <-chan struct{}) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	worker := filepath.Join(filepath.Dir(self), workerImage)
	l, err := listenPipe(vmcomputePipe)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", vmcomputePipe, err)
	}
	var mu sync.Mutex
	workers := map[string]*exec.Cmd{}
	end := func(id string) {
		if cmd := workers[id]; cmd != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			delete(workers, id)
		}
	}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func(conn net.Conn) {
				defer conn.Close()
				line, err := bufio.NewReader(conn).ReadString('\n')
				if err != nil {
					return
				}
				verb, id, _ := strings.Cut(strings.TrimSpace(line), " ")
				mu.Lock()
				defer mu.Unlock()
				switch verb {
				case "start":
					cmd := exec.Command(worker, id)
					if err := cmd.Start(); err != nil {
						fmt.Fprintf(conn, "error start %s: %v\n", workerImage, err)
						return
					}
					workers[id] = cmd
					fmt.Fprintf(conn, "%d\n", cmd.Process.Pid)
				case "stop":
					end(id)
					fmt.Fprintln(conn, "0")
				default:
					fmt.Fprintf(conn, "error unknown request %q\n", verb)
				}
			}(conn)
		}
	}()
	<-stop
	_ = l.Close()
	mu.Lock()
	for id := range workers {
		end(id)
	}
	mu.Unlock()
	return nil
}
