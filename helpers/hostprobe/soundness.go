package hostprobe

import (
	"fmt"
	"strings"
)

// ContainerAgent is the container execution agent every Windows container
// runs (moby daemon/top_windows.go lists it among each container's
// processes; Microsoft finds a container's session on the host by it,
// microsoft/Windows-Containers#254). The host's own sessions never run it.
const ContainerAgent = "CExecSvc.exe"

// WindowsInContainerSignals lists what in a Windows snapshot shows that the
// harness itself runs inside a container: a container agent in the harness's
// own session. Inside a process-isolated container the process table shows
// only the container's processes, so the harness's session is the
// container's and its CExecSvc.exe is there too.
func WindowsInContainerSignals(s Snapshot) []string {
	self, ok := s.Self()
	if !ok || self.Session == nil {
		return nil
	}
	var out []string
	for _, p := range s.Named(ContainerAgent) {
		if p.Session != nil && *p.Session == *self.Session {
			out = append(out, fmt.Sprintf("%s (PID %d) runs in the harness's session %d", p.Name, p.PID, *self.Session))
		}
	}
	return out
}

// Required is a process a sound host snapshot must contain: the harness
// knows it runs outside any container.
type Required struct {
	// What names it in messages ("dockerd (the docker service)").
	What string
	Name string
	// PID is the PID the service manager reports; 0 when it reports none,
	// and then any process of that name counts.
	PID int
}

// MissingRequired lists the required processes the snapshot lacks.
func MissingRequired(s Snapshot, req []Required) []string {
	var out []string
	for _, r := range req {
		if r.PID != 0 {
			if p, ok := s.Find(r.PID); !ok || !SameImageName(p.Name, r.Name) {
				out = append(out, fmt.Sprintf("%s %s PID %d", r.What, r.Name, r.PID))
			}
			continue
		}
		if len(s.Named(r.Name)) == 0 {
			out = append(out, fmt.Sprintf("%s %s", r.What, r.Name))
		}
	}
	return out
}

// RecordableSID keeps what a SID says about the kind of account and drops
// what identifies the machine or domain: a local or domain account
// (S-1-5-21-<three sub-authorities of the machine or domain>-<RID>) keeps only
// its RID, since snapshots are committed as fixtures. Well-known, service
// (S-1-5-80-...) and VM (S-1-5-83-...) SIDs name no machine and stay whole.
func RecordableSID(sid string) string {
	const prefix = "S-1-5-21-"
	if !strings.HasPrefix(sid, prefix) {
		return sid
	}
	parts := strings.Split(sid[len(prefix):], "-")
	return prefix + "*-" + parts[len(parts)-1]
}

// OwnerEntry is one process as the session manager's enumeration reports
// it: PID, image name, user SID and, for a VM account, the account name.
type OwnerEntry struct {
	PID       int
	Name, SID string
	VMAccount string
}

// ApplyOwners sets OwnerSID and Owner on the processes of a table read at an
// earlier moment: an entry counts only when its PID and image name agree
// with the table's (a PID reused in between by another program is skipped),
// and the SID is kept in its recordable form.
func ApplyOwners(procs []Process, entries []OwnerEntry) {
	byPID := make(map[int]*Process, len(procs))
	for i := range procs {
		byPID[procs[i].PID] = &procs[i]
	}
	for _, e := range entries {
		p, ok := byPID[e.PID]
		if !ok || e.SID == "" || !SameImageName(p.Name, e.Name) {
			continue
		}
		p.OwnerSID = RecordableSID(e.SID)
		p.Owner = e.VMAccount
	}
}
