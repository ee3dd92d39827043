package oa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cloudbridge/backend/core"
)

// maxResponse caps one OA answer. A 200-user page is ~300 KB; the cap only
// stops a misconfigured proxy from streaming something endless.
const maxResponse = 64 << 20

// caller does HTTP calls to the OA with timeouts and retries.
type caller struct {
	client  *http.Client
	clock   core.Clock
	log     *slog.Logger
	retries int
	base    time.Duration
	timeout time.Duration
}

func newCaller(cfg Config, deps Deps) *caller {
	return &caller{client: deps.HTTP, clock: deps.Clock, log: deps.Logger,
		retries: cfg.retries(), base: cfg.retryBase(), timeout: cfg.timeout()}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends the request build makes (once per attempt, so bodies are fresh)
// and retries network errors and 502/503/504 with exponential back-off.
// Any other status is returned to the caller to interpret. endpoint names
// the call in errors and logs; it never contains secrets.
func (c *caller) do(ctx context.Context, endpoint string, build func(context.Context) (*http.Request, error)) (*response, error) {
	return c.doWith(ctx, c.client, endpoint, build)
}

func (c *caller) doWith(ctx context.Context, client *http.Client, endpoint string, build func(context.Context) (*http.Request, error)) (*response, error) {
	delay := c.base
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, client, build)
		retryable := false
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, core.ErrTimeout.Wrap(ctx.Err())
			}
			retryable = true
		case resp.status == http.StatusBadGateway || resp.status == http.StatusServiceUnavailable ||
			resp.status == http.StatusGatewayTimeout:
			retryable = true
		}
		if !retryable || attempt >= c.retries {
			if err != nil {
				return nil, core.ErrOANetwork.Wrap(fmt.Errorf("%s: %w", endpoint, err), "reason", shortReason(err))
			}
			return resp, nil
		}
		c.log.Warn("oa call failed, retrying", "endpoint", endpoint, "attempt", attempt+1, "err", err,
			"status", statusOf(resp), "delay", delay)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, core.ErrTimeout.Wrap(ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 30*time.Second)
	}
}

func statusOf(r *response) int {
	if r == nil {
		return 0
	}
	return r.status
}

func (c *caller) once(ctx context.Context, client *http.Client, build func(context.Context) (*http.Request, error)) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := build(ctx)
	if err != nil {
		return nil, err
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponse+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("answer larger than %d bytes", maxResponse)
	}
	return &response{status: res.StatusCode, header: res.Header, body: body}, nil
}

// shortReason is a user-safe summary of a transport error.
func shortReason(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	s := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(s, "Client.Timeout") || strings.Contains(s, "deadline exceeded"):
		return "timeout"
	case strings.Contains(s, "connection refused"):
		return "connection refused"
	case strings.Contains(s, "no such host"):
		return "unknown host"
	case strings.Contains(s, "certificate"):
		return "TLS certificate not trusted"
	case strings.Contains(s, "EOF") || strings.Contains(s, "connection reset"):
		return "connection closed by the OA"
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// formRequest builds a POST with an urlencoded body.
func formRequest(ctx context.Context, rawURL string, form url.Values, header http.Header) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for k, v := range header {
		req.Header[k] = v
	}
	return req, nil
}

// jsonRequest builds a POST with a JSON body.
func jsonRequest(ctx context.Context, rawURL string, body any, header http.Header) (*http.Request, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range header {
		req.Header[k] = v
	}
	return req, nil
}

// flexString decodes a JSON string, number, bool or null as a string:
// e-cology documents every value as a string, but versions and proxies
// differ, and a number must not fail a 100k-user pull.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case b[0] == '{' || b[0] == '[':
		*f = "" // objects (custom_data) are not scalar fields
	default:
		*f = flexString(b) // number or bool literal, verbatim
	}
	return nil
}

func (f flexString) String() string { return strings.TrimSpace(string(f)) }

// flexInt decodes a JSON number or numeric string.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	v := s.String()
	if v == "" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return fmt.Errorf("not a number: %q", v)
	}
	*f = flexInt(n)
	return nil
}

// snippet is a short, single-line, user-safe piece of an answer body.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100]) + "…"
	}
	return s
}
