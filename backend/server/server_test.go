package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/core"
)

func newTestServer(t *testing.T) *Server {
	s := New(slog.New(slog.NewTextHandler(io.Discard, nil)), "inst-1", "test")
	s.Handle("POST /echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(func() { s.Stop(t.Context()) })
	return s
}

func TestHealthzAndBodyLimit(t *testing.T) {
	s := newTestServer(t)
	if err := s.Start(Config{Addr: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	base := "http://" + s.Status().Addr
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h Health
	json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	if h.Status != "ok" || h.Instance != "inst-1" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("healthz = %+v, headers %v", h, resp.Header)
	}

	big := strings.NewReader(strings.Repeat("x", DefaultMaxBody+1))
	req, _ := http.NewRequest("POST", base+"/echo", big)
	req.Header.Set("Accept-Language", "zh-CN")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e struct{ Code, Message string }
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || e.Code != "body_too_large" || !strings.Contains(e.Message, "1 MiB") {
		t.Fatalf("oversized body: %d %+v", resp.StatusCode, e)
	}
}

func TestRestartOnNewAddressAndPortInUse(t *testing.T) {
	s := newTestServer(t)
	if err := s.Start(Config{Addr: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	first := s.Status().Addr
	busy, _ := net.Listen("tcp", "127.0.0.1:0")
	defer busy.Close()
	err := s.Start(Config{Addr: busy.Addr().String()})
	if !core.Of(err, core.ErrSettingsAddr) || s.Status().Running || s.Status().Error == nil {
		t.Fatalf("start on a busy port: err %v, status %+v", err, s.Status())
	}
	if _, err := http.Get("http://" + first + "/healthz"); err == nil {
		t.Fatal("old listener still answers after a restart")
	}
	if err := s.Start(Config{Addr: "127.0.0.1:0"}); err != nil || !s.Status().Running {
		t.Fatalf("recover after fixing the address: %v", err)
	}
}

func TestTLSAndCertificateReload(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	writeCert(t, cert, key, "first")
	s := newTestServer(t)
	if err := s.Start(Config{Addr: "127.0.0.1:0", CertFile: cert, KeyFile: key}); err != nil {
		t.Fatal(err)
	}
	cn := func() string {
		conn, err := tls.Dial("tcp", s.Status().Addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].Subject.CommonName
	}
	if got := cn(); got != "first" {
		t.Fatalf("cn = %q", got)
	}
	time.Sleep(10 * time.Millisecond) // distinct mtime
	writeCert(t, cert, key, "second")
	future := time.Now().Add(time.Second)
	os.Chtimes(cert, future, future)
	if got := cn(); got != "second" {
		t.Fatalf("after renewal cn = %q, want second (reload without restart)", got)
	}
	if err := s.Start(Config{Addr: "127.0.0.1:0", CertFile: filepath.Join(dir, "missing.pem"), KeyFile: key}); !core.Of(err, core.ErrSettingsTLSFiles) {
		t.Fatalf("missing cert: %v", err)
	}
}

func writeCert(t *testing.T, certFile, keyFile, cn string) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
}
