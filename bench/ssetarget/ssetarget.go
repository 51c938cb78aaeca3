// Package ssetarget is the cheapest streaming chat-completions server we can
// write: the load target for races between load generators, and the
// baseline the mock's throughput is compared with.
//
// A race between two clients is only fair when the server costs little CPU
// of its own: on a small machine a heavy server takes the cores the clients
// compete for, and the faster client mostly measures the server. So this is
// not net/http: it reads HTTP/1.1 requests off the connection by hand (keep-
// alive, Content-Length bodies), ignores what they ask, and answers every
// one with the same pre-built event stream: Events content chunks of one
// token, a finish chunk with usage, then "data: [DONE]". With PerEventWrite
// each event is its own write (one syscall per event, as a real-time stream
// pays); otherwise the whole response is one write.
//
// It lives in bench/ because it is benchmark tooling: the product's own mock
// (package mockserver) is what users run.
package ssetarget

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
)

// Config shapes the answer.
type Config struct {
	Events        int  // content events per response (at least 1)
	PerEventWrite bool // one write per event instead of one per response
}

// Server answers on a listener until Close.
type Server struct {
	ln     net.Listener
	head   []byte   // status line and headers
	events [][]byte // the body, event by event
	whole  []byte   // head and every event, for one write

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Start serves cfg on ln in the background.
func Start(ln net.Listener, cfg Config) *Server {
	s := &Server{ln: ln, conns: map[net.Conn]struct{}{}}
	n := max(cfg.Events, 1)
	for i := range n {
		s.events = append(s.events, fmt.Appendf(nil,
			`data: {"id":"chatcmpl-ssetarget","object":"chat.completion.chunk","created":1,"model":"doubao-seed-2.0-mini","choices":[{"index":0,"delta":{"content":"t%d"}}]}`+"\n\n", i%10))
	}
	s.events = append(s.events, []byte(fmt.Sprintf(
		`data: {"id":"chatcmpl-ssetarget","object":"chat.completion.chunk","created":1,"model":"doubao-seed-2.0-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":%d,"total_tokens":%d}}`+"\n\n", n, n+1)),
		[]byte("data: [DONE]\n\n"))
	size := 0
	for _, e := range s.events {
		size += len(e)
	}
	s.head = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nContent-Length: " + strconv.Itoa(size) + "\r\n\r\n")
	s.whole = append([]byte(nil), s.head...)
	for _, e := range s.events {
		s.whole = append(s.whole, e...)
	}
	if cfg.PerEventWrite {
		s.whole = nil
	}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops accepting, closes every connection and waits for them.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			_ = s.serve(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}

var errChunked = errors.New("ssetarget: chunked request bodies are not supported")

// serve answers the requests of one connection until it closes or a
// request is malformed.
func (s *Server) serve(c net.Conn) error {
	br := bufio.NewReaderSize(c, 4<<10)
	for {
		length, err := readHead(br)
		if err != nil {
			return err
		}
		if _, err := br.Discard(length); err != nil {
			return err
		}
		if s.whole != nil {
			if _, err := c.Write(s.whole); err != nil {
				return err
			}
			continue
		}
		if _, err := c.Write(s.head); err != nil {
			return err
		}
		for _, e := range s.events {
			if _, err := c.Write(e); err != nil {
				return err
			}
		}
	}
}

// readHead reads a request's line and headers and returns its
// Content-Length (0 when there is none).
func readHead(br *bufio.Reader) (int, error) {
	length := 0
	first := true
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if err == io.EOF && first && len(line) == 0 {
				return 0, io.EOF
			}
			return 0, fmt.Errorf("ssetarget: reading a request: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if first {
			first = false
			continue // the request line: every request gets the same answer
		}
		if len(line) == 0 {
			return length, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.Atoi(string(value))
			if err != nil || n < 0 {
				return 0, fmt.Errorf("ssetarget: bad Content-Length %q", value)
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, errChunked
		}
	}
}
