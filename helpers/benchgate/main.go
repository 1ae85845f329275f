// Command benchgate measures the live gate against the two other ways of doing
// the same work on the same daemon, interleaved round by round so that they
// share the daemon's and the machine's state: the gate's test binary (built
// once, run as a user runs it), a docker CLI script doing the same steps
// (cli.sh beside this file), and the same Engine API requests sent by a bare
// net/http client without the docker client. The bare client times each
// request at its transport, from sending it to reading the last byte of the
// answer: their sum is the daemon's own time for the requests. It also times
// the replay of the whole committed fixture set by the same test binary.
//
//	go run ./helpers/benchgate -gate /tmp/gate.test -cli helpers/benchgate/cli.sh -runs 15
//
// `make bench` runs it; BENCHMARKS.md explains the figures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	gate := flag.String("gate", "", "the suite's test binary (go test -c)")
	cli := flag.String("cli", "helpers/benchgate/cli.sh", "the docker CLI script")
	runs := flag.Int("runs", 15, "rounds of the three live runs")
	replays := flag.Int("replays", 5, "runs of the whole-fixture replay")
	image := flag.String("image", "conformance/busybox:local", "the Linux workload image (make image)")
	flag.Parse()
	if err := run(*gate, *cli, *image, *runs, *replays); err != nil {
		fmt.Fprintln(os.Stderr, "benchgate:", err)
		os.Exit(1)
	}
}

func run(gate, cli, image string, runs, replays int) error {
	if gate == "" {
		return errors.New("-gate: build the test binary with go test -c and name it here")
	}
	socket, err := unixSocket()
	if err != nil {
		return err
	}
	api := newRawClient(socket)
	daemon, err := api.describe()
	if err != nil {
		return err
	}
	fmt.Printf("daemon: %s\nmachine: %s\n\n", daemon, machine())

	var gateRuns, cliRuns, rawRuns, daemonTimes, gateCPU, cliCPU []time.Duration
	perRequest := map[string][]time.Duration{}
	// Each round runs the three in another order, so that none always
	// follows the same one (a daemon warmed up or busy cleaning up).
	orders := [][]string{{"gate", "cli", "raw"}, {"cli", "raw", "gate"}, {"raw", "gate", "cli"}}
	for round := range runs {
		for _, which := range orders[round%len(orders)] {
			switch which {
			case "gate":
				t, err := timeCommand(exec.Command(gate, "-test.run=^TestConformance$", "-test.count=1"), "CONFORMANCE_MODE=live")
				if err != nil {
					return fmt.Errorf("live gate, round %d: %w", round+1, err)
				}
				gateRuns, gateCPU = append(gateRuns, t.wall), append(gateCPU, t.cpu)
			case "cli":
				t, err := timeCommand(exec.Command("bash", cli, image, fmt.Sprintf("bench-%d-%d", os.Getpid(), round)))
				if err != nil {
					return fmt.Errorf("docker CLI script, round %d: %w", round+1, err)
				}
				cliRuns, cliCPU = append(cliRuns, t.wall), append(cliCPU, t.cpu)
			case "raw":
				wall, steps, err := api.gateRequests(image, fmt.Sprintf("bench-%d-%d", os.Getpid(), round))
				if err != nil {
					return fmt.Errorf("raw Engine API, round %d: %w", round+1, err)
				}
				rawRuns = append(rawRuns, wall)
				var sum time.Duration
				for _, s := range steps {
					sum += s.took
					perRequest[s.name] = append(perRequest[s.name], s.took)
				}
				daemonTimes = append(daemonTimes, sum)
			}
		}
	}

	fmt.Printf("live Linux gate, %d interleaved rounds on one daemon   median    min      max\n", runs)
	row := func(name string, d []time.Duration) time.Duration {
		m := median(d)
		fmt.Printf("  %-52s %6.3f s  %6.3f  %6.3f\n", name, m.Seconds(), slices.Min(d).Seconds(), slices.Max(d).Seconds())
		return m
	}
	g := row("gate: the test binary, -run TestConformance", gateRuns)
	c := row("docker CLI script, same steps (cli.sh)", cliRuns)
	row("raw Engine API, same requests (net/http)", rawRuns)
	dt := row("daemon's own time: sum of the raw requests' times", daemonTimes)
	fmt.Printf("  CPU time (median): gate %.3f s, docker CLI script %.3f s (with the docker processes it ran)\n", median(gateCPU).Seconds(), median(cliCPU).Seconds())
	fmt.Printf("  gate / daemon's own time = %.2f (target <= 1.15)\n", g.Seconds()/dt.Seconds())
	fmt.Printf("  gate / docker CLI script = %.2f (target <= 0.50)\n", g.Seconds()/c.Seconds())
	fmt.Printf("  daemon's own time per request (median, ms):")
	for _, name := range requestOrder {
		fmt.Printf(" %s %.1f", name, float64(median(perRequest[name]).Microseconds())/1000)
	}
	fmt.Println()
	if err := traceGate(gate, socket); err != nil {
		return err
	}

	var replayRuns, replayCPU []time.Duration
	for range replays {
		t, err := timeCommand(exec.Command(gate, "-test.run=^TestConformance$", "-test.count=1"), "CONFORMANCE_MODE=replay", "CONFORMANCE_FIXTURES=fixtures")
		if err != nil {
			return fmt.Errorf("replay of the fixtures: %w", err)
		}
		replayRuns, replayCPU = append(replayRuns, t.wall), append(replayCPU, t.cpu)
	}
	fixtures, _ := os.ReadDir("fixtures")
	n := 0
	for _, f := range fixtures {
		if _, err := os.Stat("fixtures/" + f.Name() + "/fixture.json"); err == nil {
			n++
		}
	}
	fmt.Printf("\nreplay of the whole committed fixture set (%d fixtures), %d runs of the test binary\n", n, replays)
	row("-run TestConformance, CONFORMANCE_MODE=replay (target <= 0.25 s)", replayRuns)
	row("its CPU time, user + system", replayCPU)
	return nil
}

// timed is one timed command: its wall time and the CPU time (user and system)
// of it and the children it waited for.
type timed struct{ wall, cpu time.Duration }

// timeCommand runs cmd with the environment plus env and returns its wall
// and CPU time; a failed run is an error with its output's tail.
func timeCommand(cmd *exec.Cmd, env ...string) (timed, error) {
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err := cmd.Run()
	took := time.Since(began)
	if err != nil {
		tail := out.String()
		if len(tail) > 3000 {
			tail = tail[len(tail)-3000:]
		}
		return timed{}, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, tail)
	}
	return timed{wall: took, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func unixSocket() (string, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	path, ok := strings.CutPrefix(host, "unix://")
	if !ok {
		return "", fmt.Errorf("DOCKER_HOST=%s: the bench measures a local daemon on a unix socket", host)
	}
	return path, nil
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%s, %d logical CPUs, load average %s at the start", cpu, numCPU(), load)
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}

// rawClient speaks the Engine API over the unix socket with net/http alone.
type rawClient struct {
	http    *http.Client
	version string
}

func newRawClient(socket string) *rawClient {
	return &rawClient{http: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}}
}

type step struct {
	name string
	took time.Duration
}

// do sends one request and reads its whole answer; want is the status it
// must have.
func (c *rawClient) do(method, path string, body any, want int) ([]byte, time.Duration, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://docker"+path, rd)
	if err != nil {
		return nil, 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	began := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	b, err := io.ReadAll(resp.Body)
	took := time.Since(began)
	_ = resp.Body.Close()
	if err != nil {
		return nil, took, err
	}
	if resp.StatusCode != want && !(want == 400 && resp.StatusCode == 500) {
		return b, took, fmt.Errorf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	return b, took, nil
}

func (c *rawClient) describe() (string, error) {
	b, _, err := c.do("GET", "/version", nil, 200)
	if err != nil {
		return "", fmt.Errorf("the daemon does not answer: %w", err)
	}
	var v struct{ Version, APIVersion, Os, KernelVersion string }
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	c.version = "/v" + v.APIVersion
	return fmt.Sprintf("Docker Engine %s, API %s, %s kernel %s", v.Version, v.APIVersion, v.Os, v.KernelVersion), nil
}

// requestOrder names the requests the gate sends on a Linux daemon, in the
// order of a sequential run.
var requestOrder = []string{"ping", "version", "info", "sweep", "image", "create", "refuse-process", "refuse-hyperv", "start", "inspect", "top", "remove", "gone", "list"}

// gateRequests sends, one after the other, the requests the gate sends on a
// Linux daemon: daemon facts, the list of earlier runs' containers (the
// sweep), the base image, the workload's create, the two refused modes, the
// workload's start, inspect, top, force-remove and inspect until gone, and
// the list of leftovers.
func (c *rawClient) gateRequests(image, name string) (time.Duration, []step, error) {
	var steps []step
	began := time.Now()
	v := c.version
	labels := map[string]string{"io.github.wincontainer-gate.conformance.bench": name}
	create := func(isolation string) map[string]any {
		return map[string]any{"Image": image, "Cmd": []string{"ping", "localhost"}, "Labels": labels,
			"HostConfig": map[string]any{"Isolation": isolation}}
	}
	var id string
	for _, r := range []struct {
		name, method, path string
		body               any
		want               int
	}{
		{"ping", "GET", "/_ping", nil, 200},
		{"version", "GET", v + "/version", nil, 200},
		{"info", "GET", v + "/info", nil, 200},
		{"sweep", "GET", v + "/containers/json?all=1&filters=" + url.QueryEscape(`{"label":{"io.github.wincontainer-gate.conformance.bench":true}}`), nil, 200},
		{"image", "GET", v + "/images/" + image + "/json", nil, 200},
		{"create", "POST", v + "/containers/create?name=" + url.QueryEscape(name+"-default"), create(""), 201},
		{"refuse-process", "POST", v + "/containers/create?name=" + url.QueryEscape(name+"-process"), create("process"), 400},
		{"refuse-hyperv", "POST", v + "/containers/create?name=" + url.QueryEscape(name+"-hyperv"), create("hyperv"), 400},
		{"start", "POST", v + "/containers/{id}/start", nil, 204},
		{"inspect", "GET", v + "/containers/{id}/json", nil, 200},
		{"top", "GET", v + "/containers/{id}/top", nil, 200},
		{"remove", "DELETE", v + "/containers/{id}?force=1", nil, 204},
		{"gone", "GET", v + "/containers/{id}/json", nil, 404},
		{"list", "GET", v + "/containers/json?all=1&filters=" + url.QueryEscape(`{"label":{"io.github.wincontainer-gate.conformance.bench=`+name+`":true}}`), nil, 200},
	} {
		b, took, err := c.do(r.method, strings.Replace(r.path, "{id}", id, 1), r.body, r.want)
		steps = append(steps, step{r.name, took})
		if err != nil {
			if id != "" {
				_, _, _ = c.do("DELETE", v+"/containers/"+id+"?force=1", nil, 204)
			}
			return 0, nil, err
		}
		if r.name == "create" {
			var created struct{ ID string }
			if err := json.Unmarshal(b, &created); err != nil || created.ID == "" {
				return 0, nil, fmt.Errorf("create: no container id in %s", b)
			}
			id = created.ID
		}
	}
	return time.Since(began), steps, nil
}
