package configio

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"cloudbridge/backend/backup"
	"cloudbridge/backend/binding"
	"cloudbridge/backend/core"
	"cloudbridge/backend/oa"
	"cloudbridge/backend/oaconfig"
	"cloudbridge/backend/relay"
	"cloudbridge/backend/settings"
	"cloudbridge/backend/sso"
	"cloudbridge/backend/store"
	"cloudbridge/backend/syncer"
	"cloudbridge/backend/tenant"
)

func newStore(t testing.TB) *store.DB {
	t.Helper()
	k := make([]byte, 32)
	rand.Read(k)
	db, err := store.Open(store.Options{Dir: t.TempDir(), Key: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var now = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)

// sample is a configuration touching every section.
func sample() (Sections, Secrets) {
	st := settings.Defaults()
	st.PublicBaseURL = "https://sso.example.com"
	s := Sections{
		Settings: st,
		Corps:    []tenant.CorpConfig{{ID: "corp1", Name: "华为测试企业"}, {ID: "corp2", Name: "第二企业"}},
		Apps: []tenant.AppConfig{
			{ID: "app1", CorpID: "corp1", Name: "OA 待办", ClientID: "20230000000000000000001", Homepage: tenant.Homepage{Kind: "entry", Entry: "todo"}},
			{ID: "app2", CorpID: "corp2", Name: "门户", ClientID: "20230000000000000000002", Homepage: tenant.Homepage{Kind: "entry", Entry: "home"}},
		},
		OA: &oa.Config{Kind: oa.KindEcology9, BaseURL: "http://oa.example.com", Auth: oa.AuthConfig{Mode: oa.AuthKey}},
		Sync: []syncer.Settings{{CorpID: "corp1", AppID: "app1", Mode: syncer.ModeReadOnly,
			WeLink: syncer.WeLinkSettings{Schedule: syncer.Schedule{Kind: "daily", At: "02:00", Minutes: 60}},
			OA: syncer.OASettings{FieldMap: syncer.DefaultFieldMap(), Safety: syncer.Safety{MaxDropCount: 50, MaxDropPercent: 20, QuarantineCount: 20, QuarantinePercent: 5},
				Schedule: syncer.Schedule{Kind: "interval", Minutes: 30}}}},
		Binding: []binding.Settings{{CorpID: "corp1", AutoBind: true, Rules: binding.DefaultRules(), SelfService: true}},
		Relay: relay.RelayConfig{
			Settings: relay.Defaults(),
			Systems:  []relay.SystemConfig{{ID: "sys1", Name: "泛微 OA", SysCode: "ecology01", Enabled: true, AllowedIPs: []string{"10.0.0.0/8"}, AuthMode: relay.AuthSecret, PersonRule: relay.PersonAuto}},
			Rules: []relay.Rule{{ID: "rule1", Name: "待办推送", Enabled: true, Source: relay.SourceTodo,
				Targets: []relay.Target{{ID: "t1", Platform: relay.PlatformWeLink, CorpID: "corp1", AppID: "app1", Type: relay.TypeTodo}}}},
		},
		QR:     sso.QRSettings{Enabled: true, Apps: []sso.QRApp{{AppID: "app1", CorpID: "corp1"}}},
		Backup: backup.Settings{Enabled: true, Time: "03:15", Keep: 14},
	}
	sec := Secrets{
		Apps:    map[string]string{"app1": "secret-one", "app2": "secret-two"},
		OA:      map[string]string{"tokenKey": "oa-token-key"},
		Systems: map[string]string{"sys1": "push-secret"},
	}
	return s, sec
}

func seed(t *testing.T, db *store.DB) {
	t.Helper()
	s, sec := sample()
	if _, err := Import(db, &Parsed{File: File{Secrets: SecretsEncrypted}, Sections: s, Secrets: &sec}, now, nil, "", false); err != nil {
		t.Fatalf("seed: %v", err)
	}
}

func sectionsOf(t *testing.T, data []byte, pass string) (Sections, *Secrets) {
	t.Helper()
	p, err := Parse(data, pass)
	if err != nil {
		t.Fatal(err)
	}
	return p.Sections, p.Secrets
}

func TestRoundTripWithSecrets(t *testing.T) {
	a := newStore(t)
	seed(t, a)
	file, err := Export(a, "correct horse battery", "1.0.0", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file, []byte("secret-one")) || bytes.Contains(file, []byte("push-secret")) {
		t.Fatal("a secret in clear in the file")
	}
	b := newStore(t)
	p, err := Parse(file, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	pv, err := Import(b, p, now.Add(time.Hour), nil, "", true)
	if err != nil {
		t.Fatal(err)
	}
	if c := find(pv, "corps"); c.Added != 2 || c.Changed != 0 {
		t.Fatalf("preview corps %+v", c)
	}
	if _, err := Import(b, p, now.Add(time.Hour), nil, "", false); err != nil {
		t.Fatal(err)
	}
	again, err := Export(b, "correct horse battery", "1.0.0", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	s1, sec1 := sectionsOf(t, file, "correct horse battery")
	s2, sec2 := sectionsOf(t, again, "correct horse battery")
	if !reflect.DeepEqual(norm(s1), norm(s2)) {
		j1, _ := json.Marshal(norm(s1))
		j2, _ := json.Marshal(norm(s2))
		t.Fatalf("sections differ after the round trip:\n%s\n%s", j1, j2)
	}
	if !reflect.DeepEqual(sec1, sec2) || sec2.Apps["app2"] != "secret-two" || sec2.OA["tokenKey"] != "oa-token-key" || sec2.Systems["sys1"] != "push-secret" {
		t.Fatalf("secrets differ: %+v %+v", sec1, sec2)
	}
	// The secrets work where the areas read them.
	b.View(func(tx *store.Tx) error {
		c, err := tenant.Credentials(b, tx, "app1")
		if err != nil || c.ClientSecret != "secret-one" {
			t.Errorf("credentials %+v %v", c, err)
		}
		return nil
	})
	// Importing the same file again changes nothing.
	pv, err = Import(b, p, now.Add(2*time.Hour), nil, "", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pv.Sections {
		if c.Added+c.Changed != 0 {
			t.Errorf("second import of the same file changes %s: %+v", c.Section, c)
		}
	}
}

func find(pv Preview, section string) Change {
	for _, c := range pv.Sections {
		if c.Section == section {
			return c
		}
	}
	return Change{}
}

func TestExportWithoutPassphraseOmitsSecrets(t *testing.T) {
	a := newStore(t)
	seed(t, a)
	file, err := Export(a, "", "1.0.0", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"secret-one", "secret-two", "oa-token-key", "push-secret", "encryptedSecrets"} {
		if bytes.Contains(file, []byte(s)) {
			t.Fatalf("%q in a file without passphrase", s)
		}
	}
	if !bytes.Contains(file, []byte(`"secrets": "omitted"`)) || !bytes.Contains(file, []byte("NOT in this file")) {
		t.Fatal("the file does not say the secrets are omitted")
	}
	if _, err := Export(a, "short", "1", now, nil); !core.Of(err, core.ErrConfigPassphraseShort) {
		t.Fatalf("short passphrase: %v", err)
	}
	// Into an installation that has the apps: their secrets are kept.
	p, err := Parse(file, "")
	if err != nil {
		t.Fatal(err)
	}
	p.Sections.Apps[0].Name = "改名后的应用"
	if _, err := Import(a, p, now, nil, "", false); err != nil {
		t.Fatal(err)
	}
	a.View(func(tx *store.Tx) error {
		c, err := tenant.Credentials(a, tx, "app1")
		if err != nil || c.ClientSecret != "secret-one" {
			t.Errorf("secret not kept: %+v %v", c, err)
		}
		return nil
	})
	// A relay system that needs a secret cannot come without one into a
	// fresh installation: refused, nothing applied.
	fresh := newStore(t)
	if _, err := Import(fresh, p, now, nil, "", false); !core.Of(err, core.ErrConfigInvalid) {
		t.Fatalf("want config.invalid, got %v", err)
	}
	assertEmpty(t, fresh)
}

func assertEmpty(t *testing.T, db *store.DB) {
	t.Helper()
	db.View(func(tx *store.Tx) error {
		corps, err := tenant.ExportCorps(tx)
		if err != nil || len(corps) != 0 {
			t.Errorf("corps after a refused import: %v %v", corps, err)
		}
		st, _ := settings.Load(tx)
		if st.PublicBaseURL != "" {
			t.Errorf("settings changed: %+v", st)
		}
		if _, _, ok, _ := oaconfig.ExportConfig(db, tx); ok {
			t.Error("OA config written by a refused import")
		}
		return nil
	})
}

func TestWrongPassphraseAndTamper(t *testing.T) {
	a := newStore(t)
	seed(t, a)
	file, err := Export(a, "correct horse battery", "1.0.0", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(file, "wrong passphrase!"); !core.Of(err, core.ErrConfigWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := Parse(file, ""); !core.Of(err, core.ErrConfigPassphraseRequired) {
		t.Fatalf("no passphrase: %v", err)
	}
	// Edit a setting and fix up the checksum: the sealed secrets' AAD
	// still catches it.
	var f File
	json.Unmarshal(file, &f)
	f.Sections = bytes.Replace(f.Sections, []byte("03:15"), []byte("04:15"), 1)
	f.Checksum = sha256sum(f.Sections)
	edited, _ := json.Marshal(f)
	if _, err := Parse(edited, "correct horse battery"); !core.Of(err, core.ErrConfigTampered) {
		t.Fatalf("edited with fixed checksum: %v", err)
	}
	// Without fixing the checksum.
	broken := bytes.Replace(file, []byte("03:15"), []byte("04:15"), 1)
	if _, err := Parse(broken, "correct horse battery"); !core.Of(err, core.ErrConfigTampered) {
		t.Fatalf("edited: %v", err)
	}
	// Flipped ciphertext.
	json.Unmarshal(file, &f)
	ct := []byte(f.Sealed.Ciphertext)
	ct[10] ^= 1
	if ct[10] == '+' || ct[10] == '/' || ct[10] == '=' {
		ct[10] = 'A'
	}
	f.Sealed.Ciphertext = string(ct)
	flipped, _ := json.Marshal(f)
	if _, err := Parse(flipped, "correct horse battery"); !core.Of(err, core.ErrConfigTampered) {
		t.Fatalf("flipped: %v", err)
	}
	// Secrets switched to "omitted" while the sealed part stays.
	json.Unmarshal(file, &f)
	f.Secrets = SecretsOmitted
	downgraded, _ := json.Marshal(f)
	if _, err := Parse(downgraded, ""); !core.Of(err, core.ErrConfigTampered) {
		t.Fatalf("downgraded: %v", err)
	}
}

func sha256sum(b []byte) string {
	f := File{Sections: b}
	out, _ := json.Marshal(f)
	var g File
	json.Unmarshal(out, &g)
	return hexSum(g.Sections)
}

func TestParseRefusals(t *testing.T) {
	cases := map[string]struct {
		in   []byte
		want core.Kind
	}{
		"malformed":   {[]byte(`{"format": "cloudbridge-config", "version": 1,`), core.ErrConfigMalformed},
		"empty":       {[]byte(``), core.ErrConfigMalformed},
		"not ours":    {[]byte(`{"hello": "world"}`), core.ErrConfigNotAnExport},
		"array":       {[]byte(`[1,2,3]`), core.ErrConfigNotAnExport},
		"version":     {[]byte(`{"format": "cloudbridge-config", "version": 7, "sections": {}}`), core.ErrConfigVersion},
		"huge":        {append([]byte(`{"format":"`), bytes.Repeat([]byte("x"), MaxFileSize)...), core.ErrConfigTooLarge},
		"no sections": {[]byte(`{"format": "cloudbridge-config", "version": 1, "secrets": "omitted"}`), core.ErrConfigMalformed},
		"trailing":    {[]byte(`{"format": "cloudbridge-config"} {}`), core.ErrConfigMalformed},
	}
	for name, c := range cases {
		if _, err := Parse(c.in, ""); !core.Of(err, c.want) {
			t.Errorf("%s: want %s, got %v", name, c.want.Code, err)
		}
	}
}

// A failure in a late section (a push rule pointing at an app that is in
// neither the file nor the store) leaves nothing of the earlier sections.
func TestImportIsAtomic(t *testing.T) {
	a := newStore(t)
	seed(t, a)
	file, err := Export(a, "correct horse battery", "1", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(file, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	p.Sections.Relay.Rules[0].Targets[0].AppID = "no-such-app"
	b := newStore(t)
	_, err = Import(b, p, now, nil, "", false)
	ce := core.AsError(err)
	if !core.Of(err, core.ErrConfigInvalid) || ce.Params["section"] != "relay" || !strings.Contains(ce.Params["inner"], "relay.") {
		t.Fatalf("want config.invalid in relay, got %v", err)
	}
	assertEmpty(t, b)
}

func TestExtraSection(t *testing.T) {
	held := map[string]json.RawMessage{}
	x := Extra{Name: "admin",
		Export: func(*store.Tx) (json.RawMessage, bool, error) { return json.RawMessage(`{"hash":"abc"}`), true, nil },
		Import: func(_ *store.Tx, v json.RawMessage) error { held["admin"] = v; return nil },
	}
	a := newStore(t)
	seed(t, a)
	with, _ := Export(a, "correct horse battery", "1", now, []Extra{x})
	without, _ := Export(a, "", "1", now, []Extra{x})
	if bytes.Contains(without, []byte("abc")) {
		t.Fatal("an extra secret in a file without passphrase")
	}
	p, err := Parse(with, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(newStore(t), p, now, []Extra{x}, "", false); err != nil {
		t.Fatal(err)
	}
	if string(held["admin"]) != `{"hash":"abc"}` {
		t.Fatalf("extra not imported: %s", held["admin"])
	}
}

// FuzzParse: whatever the bytes, Parse answers with a catalogue error or a
// parsed file, never a panic or an internal error.
func FuzzParse(f *testing.F) {
	// The cheapest cost Parse accepts, and no more: a mutated file must not
	// buy seconds of argon2 per input.
	kdfTime, kdfMemory, maxTime, maxMemory = 1, 8*1024, 1, 8*1024
	db := newStore(f)
	s, sec := sample()
	Import(db, &Parsed{File: File{Secrets: SecretsEncrypted}, Sections: s, Secrets: &sec}, now, nil, "", false)
	with, _ := Export(db, "fuzz passphrase", "1", now, nil)
	without, _ := Export(db, "", "1", now, nil)
	f.Add(with)
	f.Add(without)
	f.Add([]byte(`{"format":"cloudbridge-config","version":1,"secrets":"encrypted","sections":{},"sha256":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","encryptedSecrets":{"kdf":"argon2id","time":1,"memoryKiB":8192,"threads":1}}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz passphrase")
		if err != nil {
			ce := core.AsError(err)
			if ce == nil || !strings.HasPrefix(ce.Code, "config.") {
				t.Fatalf("not a config.* error: %v", err)
			}
			return
		}
		if p.File.Format != Format || p.File.Version != Version {
			t.Fatalf("accepted a foreign file: %+v", p.File)
		}
	})
}

func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sso.example.com"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), DNSNames: []string{"sso.example.com"}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

// The TLS key is a secret: it travels only with a passphrase, and lands in
// the target's own directory (the source's paths mean nothing there).
func TestTLSPairTravelsWithSecrets(t *testing.T) {
	a := newStore(t)
	seed(t, a)
	cert, key := selfSigned(t, t.TempDir())
	a.Update(func(tx *store.Tx) error {
		st, _ := settings.Load(tx)
		st.TLSCertFile, st.TLSKeyFile = cert, key
		return settings.Save(tx, st)
	})
	keyPEM, _ := os.ReadFile(key)
	without, _ := Export(a, "", "1", now, nil)
	if bytes.Contains(without, []byte("PRIVATE KEY")) {
		t.Fatal("the TLS key in a file without passphrase")
	}
	with, err := Export(a, "correct horse battery", "1", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(with, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	// Same machine, same files: the paths stay.
	if pv, err := Import(a, p, now, nil, filepath.Join(t.TempDir(), "tls"), true); err != nil || find(pv, "settings").Changed != 0 {
		t.Fatalf("same machine: %+v %v", find(pv, "settings"), err)
	}
	// Another machine: the source's files are not there.
	os.Remove(cert)
	os.Remove(key)
	b, tlsDir := newStore(t), filepath.Join(t.TempDir(), "tls")
	pv, err := Import(b, p, now, nil, tlsDir, true)
	if err != nil || find(pv, "settings").Changed != 1 {
		t.Fatalf("preview: %+v %v", find(pv, "settings"), err)
	}
	if _, err := os.Stat(tlsDir); !os.IsNotExist(err) {
		t.Fatal("a preview wrote files")
	}
	if _, err := Import(b, p, now, nil, tlsDir, false); err != nil {
		t.Fatal(err)
	}
	b.View(func(tx *store.Tx) error {
		st, _ := settings.Load(tx)
		got, err := os.ReadFile(st.TLSKeyFile)
		if err != nil || !bytes.Equal(got, keyPEM) || filepath.Dir(st.TLSKeyFile) != tlsDir {
			t.Errorf("key not installed: %s %v", st.TLSKeyFile, err)
		}
		return nil
	})
	// A pair that does not match is refused before anything is written.
	p.Secrets.TLS.Key = strings.Replace(p.Secrets.TLS.Key, "A", "B", 1)
	other := filepath.Join(t.TempDir(), "tls")
	if _, err := Import(newStore(t), p, now, nil, other, false); !core.Of(err, core.ErrConfigInvalid) {
		t.Fatalf("mismatched pair: %v", err)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatal("files written for a refused import")
	}
}

func TestServiceFlow(t *testing.T) {
	a := newStore(t)
	seed(t, a)
	restarts := 0
	svc := NewService(context.Background(), a, "1.0.0", core.SystemClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, t.TempDir(), func() { restarts++ })
	f, err := svc.ExportConfig("correct horse battery")
	if err != nil || !strings.HasSuffix(f.Name, "-with-secrets.json") {
		t.Fatalf("export: %+v %v", f.Name, err)
	}
	if _, err := svc.PreviewImport(ConfigFile{Name: "x.json", ContentBase64: "%%%"}, ""); !core.Of(err, core.ErrConfigMalformed) {
		t.Fatalf("junk base64: %v", err)
	}
	huge := ConfigFile{Name: "big.json", ContentBase64: strings.Repeat("A", MaxFileSize/3*4+100)}
	if _, err := svc.PreviewImport(huge, ""); !core.Of(err, core.ErrConfigTooLarge) {
		t.Fatalf("huge: %v", err)
	}
	if _, err := svc.ApplyImport(f, "wrong passphrase"); !core.Of(err, core.ErrConfigWrongPassphrase) || restarts != 0 {
		t.Fatalf("wrong passphrase: %v restarts=%d", err, restarts)
	}
	b := newStore(t)
	svcB := NewService(context.Background(), b, "1.0.0", core.SystemClock{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, t.TempDir(), func() { restarts++ })
	res, err := svcB.ApplyImport(f, "correct horse battery")
	if err != nil || !res.Restarting || restarts != 1 || find(res.Preview, "apps").Added != 2 {
		t.Fatalf("apply: %+v %v restarts=%d", res, err, restarts)
	}
}
