package harness

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"

	"github.com/wincontainer-gate/conformance/helpers/fixture"
	"github.com/wincontainer-gate/conformance/helpers/hostprobe"
)

// Owner labels: they let a later run decide that the run which created a
// container is dead (same host, and its process is gone or is another process
// that reused the PID), so that it may remove what that run left.
const (
	LabelOwnerHost    = "io.github.wincontainer-gate.conformance.owner-host"
	LabelOwnerPID     = "io.github.wincontainer-gate.conformance.owner-pid"
	LabelOwnerStarted = "io.github.wincontainer-gate.conformance.owner-process-start"
	LabelRunStarted   = "io.github.wincontainer-gate.conformance.run-start"
	// LabelOwnerPIDNamespace names the PID namespace the owner pid is
	// counted in (Linux): a harness running in a container counts its pids
	// in its own namespace, where this host's /proc says nothing about them.
	LabelOwnerPIDNamespace = "io.github.wincontainer-gate.conformance.owner-pid-namespace"
	// harnessLabelValue is the value of LabelHarness on what this harness
	// creates; a container with the key and another value is not ours.
	harnessLabelValue = "1"
)

// Owner identifies the process that runs the harness (see fixture.Owner).
type Owner = fixture.Owner

// HostDigest is the owner-host value of a host name.
func HostDigest(hostname string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(hostname))))
	return hex.EncodeToString(sum[:8])
}

// CurrentOwner describes this process.
func CurrentOwner() Owner {
	name, _ := os.Hostname()
	start, _, _ := processStart(os.Getpid())
	return Owner{Host: HostDigest(name), PID: os.Getpid(), ProcessStart: start, PIDNamespace: pidNamespace(),
		RunStart: time.Now().UTC().Format(time.RFC3339)}
}

// ownerLabels are added to every container.
func ownerLabels(o Owner) map[string]string {
	l := map[string]string{
		LabelOwnerHost:    o.Host,
		LabelOwnerPID:     strconv.Itoa(o.PID),
		LabelOwnerStarted: o.ProcessStart,
		LabelRunStarted:   o.RunStart,
	}
	if o.PIDNamespace != "" {
		l[LabelOwnerPIDNamespace] = o.PIDNamespace
	}
	return l
}

// Swept is a container of a dead run that a run removed, or failed to.
type Swept struct {
	ID, RunID, State string
	Owner            Owner
	Err              error
}

func (sw Swept) String() string {
	what := "removed"
	if sw.Err != nil {
		what = "could not remove (" + sw.Err.Error() + ")"
	}
	return fmt.Sprintf("%s container %s (%s) left by dead run %s (pid %d started %s on this host, run began %s)",
		what, hostprobe.ShortID(sw.ID), sw.State, sw.RunID, sw.Owner.PID, sw.Owner.ProcessStart, sw.Owner.RunStart)
}

// processAlive says whether a process with that PID and start time runs on
// this host; unknown start times count as alive, so nothing is removed on a
// guess.
type processAlive func(pid int, start string) bool

func liveProcess(pid int, start string) bool {
	got, exists, err := processStart(pid)
	return aliveByStart(got, exists, err, start)
}

// aliveByStart decides from what processStart read (the start time got, or
// that no such process exists, or an error) whether the owner still runs.
func aliveByStart(got string, exists bool, err error, start string) bool {
	switch {
	case err != nil || (exists && got == ""):
		return true // unknown: keep
	case !exists:
		return false
	}
	return got == start
}

// DeadRun decides from a container's labels whether it was left by a dead run
// of this harness on this host: never a container without every owner label,
// with another value of the harness label, of another host, of this run, or
// whose owner process still runs.
func DeadRun(labels map[string]string, self Owner, selfRunID string, alive processAlive) (Owner, bool) {
	if labels[LabelHarness] != harnessLabelValue || labels[LabelRunID] == "" || labels[LabelRunID] == selfRunID {
		return Owner{}, false
	}
	pid, err := strconv.Atoi(labels[LabelOwnerPID])
	o := Owner{Host: labels[LabelOwnerHost], PID: pid, ProcessStart: labels[LabelOwnerStarted], RunStart: labels[LabelRunStarted],
		PIDNamespace: labels[LabelOwnerPIDNamespace]}
	if err != nil || pid <= 0 || o.Host == "" || o.ProcessStart == "" || o.Host != self.Host {
		return o, false
	}
	if o.PIDNamespace != "" && self.PIDNamespace != "" && o.PIDNamespace != self.PIDNamespace {
		return o, false // its pid means another process here: liveness cannot be read
	}
	return o, !alive(o.PID, o.ProcessStart)
}

// SweepDeadRuns removes the containers that dead runs of this harness left on
// this host (a run killed by SIGKILL, by go test's timeout, or by a daemon
// that went away mid-row). The client must be a live one: what it does is not
// evidence and is never recorded.
func SweepDeadRuns(ctx context.Context, cli *client.Client, self Owner, selfRunID string, timeout time.Duration) ([]Swept, error) {
	return sweep(ctx, cli, self, selfRunID, timeout, liveProcess)
}

func sweep(ctx context.Context, cli *client.Client, self Owner, selfRunID string, timeout time.Duration, alive processAlive) ([]Swept, error) {
	lctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	list, err := cli.ContainerList(lctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", LabelHarness+"="+harnessLabelValue))})
	if err != nil {
		return nil, fmt.Errorf("list containers of earlier runs: %w", err)
	}
	var out []Swept
	for _, c := range list {
		owner, dead := DeadRun(c.Labels, self, selfRunID, alive)
		if !dead {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		err := cli.ContainerRemove(rctx, c.ID, container.RemoveOptions{Force: true})
		cancel()
		out = append(out, Swept{ID: c.ID, RunID: c.Labels[LabelRunID], State: c.State, Owner: owner, Err: err})
	}
	return out, nil
}
