package harness

import (
	"errors"
	"testing"

	"gotest.tools/v3/assert"
)

// TestAliveByStart: the sweep removes a run's containers only when its owner
// process is known to be gone or replaced. Each row is what processStart
// reads on a real host.
func TestAliveByStart(t *testing.T) {
	const start = "133790112000000000"
	denied := errors.New("open pid 4242: Access is denied.")
	for _, tc := range []struct {
		doc    string
		got    string
		exists bool
		err    error
		alive  bool
	}{
		// OpenProcess refuses another user's elevated process (ERROR_ACCESS_DENIED);
		// /proc/<pid>/stat is unreadable under hidepid=2: the owner may still run.
		{doc: "start time unreadable: kept", exists: true, err: denied, alive: true},
		{doc: "a process without a readable start time (a short stat line): kept", exists: true, alive: true},
		{doc: "no process has that PID (ERROR_INVALID_PARAMETER, no /proc entry): dead", alive: false},
		{doc: "the owner still runs with its start time", got: start, exists: true, alive: true},
		{doc: "the PID was reused by a later process: dead", got: "133790112000000001", exists: true, alive: false},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			assert.Equal(t, aliveByStart(tc.got, tc.exists, tc.err, start), tc.alive)
		})
	}
}
