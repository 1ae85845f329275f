package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// span is one request of the traced gate, as the daemon's socket saw it.
type span struct {
	method, path string
	began, ended time.Time
}

// traceGate runs the gate once through a proxy on a unix socket that times
// each request from its last byte sent to the daemon to the last byte of the
// answer: the daemon's own time for the gate's own requests. What remains of
// the gate's wall time is the harness: process start, the host snapshots,
// the client, the test framework.
func traceGate(gate, daemonSocket string) error {
	dir, err := os.MkdirTemp("", "benchgate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	socket := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", socket)
	if err != nil {
		return err
	}
	defer l.Close()
	var mu sync.Mutex
	var spans []span
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go relay(c, daemonSocket, func(s span) {
				mu.Lock()
				spans = append(spans, s)
				mu.Unlock()
			})
		}
	}()

	cmd := exec.Command(gate, "-test.run=^TestConformance$", "-test.count=1")
	began := time.Now()
	t, err := timeCommand(cmd, "CONFORMANCE_MODE=live", "DOCKER_HOST=unix://"+socket)
	if err != nil {
		return fmt.Errorf("traced gate: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.SortFunc(spans, func(a, b span) int { return a.began.Compare(b.began) })
	fmt.Printf("\none gate run traced at the daemon's socket (a proxy times each request): %.1f ms wall\n", ms(t.wall))
	var sum time.Duration
	for _, s := range spans {
		sum += s.ended.Sub(s.began)
		fmt.Printf("  at %6.1f ms  %6.1f ms  %s %s\n", ms(s.began.Sub(began)), ms(s.ended.Sub(s.began)), s.method, shortPath(s.path))
	}
	busy := union(spans)
	fmt.Printf("  the daemon's own time for these requests: %.1f ms summed, %.1f ms with overlaps counted once; the rest of the wall time, %.1f ms, is the harness\n",
		ms(sum), ms(busy), ms(t.wall-busy))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// shortPath cuts container ids to 12 characters.
func shortPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if len(s) == 64 {
			parts[i] = s[:12]
		}
	}
	return strings.Join(parts, "/")
}

// union is the time at least one request was in the daemon's hands.
func union(spans []span) time.Duration {
	var total time.Duration
	var end time.Time
	for _, s := range spans { // sorted by start
		switch {
		case s.began.After(end):
			total += s.ended.Sub(s.began)
			end = s.ended
		case s.ended.After(end):
			total += s.ended.Sub(end)
			end = s.ended
		}
	}
	return total
}

// relay forwards one client connection's requests to the daemon, one at a
// time as HTTP/1.1 does, timing each.
func relay(c net.Conn, daemonSocket string, record func(span)) {
	defer c.Close()
	up, err := net.Dial("unix", daemonSocket)
	if err != nil {
		return
	}
	defer up.Close()
	fromClient, fromDaemon := bufio.NewReader(c), bufio.NewReader(up)
	for {
		req, err := http.ReadRequest(fromClient)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		req.Body, req.ContentLength = http.NoBody, int64(len(body))
		if len(body) > 0 {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		began := time.Now()
		if err := req.Write(up); err != nil {
			return
		}
		resp, err := http.ReadResponse(fromDaemon, req)
		if err != nil {
			return
		}
		answer, err := io.ReadAll(resp.Body)
		ended := time.Now()
		if err != nil {
			return
		}
		record(span{method: req.Method, path: req.URL.Path, began: began, ended: ended})
		resp.Body, resp.ContentLength, resp.TransferEncoding = io.NopCloser(bytes.NewReader(answer)), int64(len(answer)), nil
		if err := resp.Write(c); err != nil {
			return
		}
	}
}
