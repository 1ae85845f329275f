package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gotest.tools/v3/assert"
	is "gotest.tools/v3/assert/cmp"

	"github.com/wincontainer-gate/conformance/helpers/config"
)

// TestWaitRunningEndsOnADeadContainer: moby reports State.Status "dead" for
// a container the daemon could not stop or remove cleanly (container/state.go
// StateString; on Windows, a compute system HCS could not terminate). It
// will never run: the wait ends at once with its state and exit code, as for
// "exited", instead of waiting out the step timeout and reporting a timeout.
func TestWaitRunningEndsOnADeadContainer(t *testing.T) {
	const id = "3f7c795918db21fb76720502fefc51210e8d037ebcacb5e4dd505aec35f322ac"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.47")
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/containers/"+id+"/json") {
			_, _ = w.Write([]byte(`{"Id":"` + id + `","State":{"Status":"dead","Running":false,"Dead":true,"ExitCode":137,"Error":"hcs::System::Terminate: The system cannot find the file specified."},"HostConfig":{}}`))
			return
		}
		_, _ = w.Write([]byte(`OK`))
	}))
	t.Cleanup(srv.Close)
	s, err := OpenLive(config.Config{Mode: config.Live, DockerHost: "tcp://" + srv.Listener.Addr().String(), Fixtures: t.TempDir(),
		Expect: config.Expectations{StepTimeout: config.Duration(3 * time.Second)}})
	assert.NilError(t, err)
	_, failure := s.waitRunning(context.Background(), id)
	assert.Assert(t, failure != nil)
	assert.Check(t, is.Contains(failure.Message, "is dead with exit code 137"), failure.Message)
}

// TestWorkerAttributionOnlyForALocalWindowsHost: the run's log announces how
// VM workers are attributed only where there are VM workers to attribute: a
// local Windows host. A local Linux host (CI's) and a remote daemon have none.
func TestWorkerAttributionOnlyForALocalWindowsHost(t *testing.T) {
	assert.Check(t, is.Equal((&Session{Local: true}).WorkerAttribution(), ""), "a local Linux host")
	assert.Check(t, is.Equal((&Session{windowsHost: true}).WorkerAttribution(), ""), "a remote Windows daemon")
	assert.Check(t, is.Contains((&Session{Local: true, windowsHost: true}).WorkerAttribution(), "timing"))
	assert.Check(t, is.Contains((&Session{Local: true, windowsHost: true, exactAttribution: true}).WorkerAttribution(), "exact, else elimination"))
}
