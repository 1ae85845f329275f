package harness

import (
	"context"
	"testing"

	"github.com/wincontainer-gate/conformance/helpers/evidence"
	"github.com/wincontainer-gate/conformance/helpers/fixture"
)

// BenchmarkReplayHost measures gathering one recorded host's evidence in
// replay: the cost every fixture adds to `go test ./...`.
func BenchmarkReplayHost(b *testing.B) {
	f, err := fixture.Load("../../fixtures/linux-debian12-docker.io-20.10")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	noCleanup := func(func()) {}
	b.ReportAllocs()
	for b.Loop() {
		s, err := OpenReplay(f)
		if err != nil {
			b.Fatal(err)
		}
		d, err := s.Daemon(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if d.Image, err = s.BaseImage(ctx, d); err != nil {
			b.Fatal(err)
		}
		for _, row := range evidence.Rows {
			if row.Platform != d.Info.OSType {
				continue
			}
			if row.Refusal() {
				_, err = s.TryRefusal(ctx, row, d.Image.Ref, noCleanup)
			} else {
				_, err = s.RunWorkload(ctx, row, d.Image.Ref, noCleanup)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Leftovers(ctx); err != nil {
			b.Fatal(err)
		}
		if problems := s.FixtureProblems(); len(problems) > 0 {
			b.Fatal(problems)
		}
		_ = s.Close()
	}
}
