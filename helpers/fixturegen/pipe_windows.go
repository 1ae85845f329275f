package main

import (
	"errors"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/windows"
)

// listenPipe serves a named pipe with synchronous ConnectNamedPipe, one
// instance per connection. go-winio's ListenPipe, the library a Windows
// server would use, waits for its overlapped ConnectNamedPipe on an I/O
// completion port, and Wine 8.0 never completes it (measured here: Accept
// never returns while a client's open succeeds); the blocking call works
// under Wine and on Windows alike. The client side is unchanged: the gate's
// docker client dials with go-winio's DialPipe (overlapped), which works
// under Wine. This listener is only for the stand-ins of `make wine`.
func listenPipe(name string) (net.Listener, error) {
	l := &syncPipeListener{name: name}
	h, err := l.instance()
	if err != nil {
		return nil, err
	}
	l.next = h
	return l, nil
}

type syncPipeListener struct {
	name   string
	mu     sync.Mutex
	next   windows.Handle
	closed bool
}

func (l *syncPipeListener) instance() (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString(l.name)
	if err != nil {
		return 0, err
	}
	h, err := windows.CreateNamedPipe(name, windows.PIPE_ACCESS_DUPLEX,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, 64<<10, 64<<10, 0, nil)
	if err != nil {
		return 0, &os.PathError{Op: "CreateNamedPipe", Path: l.name, Err: err}
	}
	return h, nil
}

func (l *syncPipeListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	h := l.next
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, net.ErrClosed
	}
	err := windows.ConnectNamedPipe(h, nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = windows.CloseHandle(h)
		return nil, net.ErrClosed
	}
	if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
		return nil, &os.PathError{Op: "ConnectNamedPipe", Path: l.name, Err: err}
	}
	// The next client needs an instance of its own before this one is handed out.
	next, err := l.instance()
	if err != nil {
		_ = windows.CloseHandle(h)
		return nil, err
	}
	l.next = next
	return pipeConn{File: os.NewFile(uintptr(h), l.name), addr: pipeAddr(l.name)}, nil
}

// Close ends a pending Accept by connecting to the waiting instance itself.
func (l *syncPipeListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	if name, err := windows.UTF16PtrFromString(l.name); err == nil {
		if h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, 0, 0); err == nil {
			_ = windows.CloseHandle(h)
		}
	}
	return nil
}

func (l *syncPipeListener) Addr() net.Addr { return pipeAddr(l.name) }

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeConn is a connected instance; deadlines are not supported (the
// http.Server that uses it ignores that).
type pipeConn struct {
	*os.File
	addr pipeAddr
}

func (c pipeConn) LocalAddr() net.Addr  { return c.addr }
func (c pipeConn) RemoteAddr() net.Addr { return c.addr }
