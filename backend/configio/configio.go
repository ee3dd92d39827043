// Package configio exports the configuration of an installation to one
// JSON file and imports it again (issue 9, item 2): installation settings,
// WeLink corps and apps, the OA connection, sync, binding, push and QR login
// settings, the backup schedule — not bulk data (bindings, directory,
// delivery logs). It asks each area for its settings through the area's own
// Export*/Import* functions and never reads their records itself.
//
// Secrets (app secrets, OA keys, push source secrets, the admin password
// hash) are left out unless the admin gives a passphrase; then they travel
// AES-256-GCM encrypted with a key from argon2id(passphrase, random salt).
// The GCM additional data binds the file's header and the exact bytes of its
// "sections", so an edit anywhere is refused as tampered. Without a
// passphrase a SHA-256 over the sections catches damage, not a deliberate
// edit.
//
// An import is parsed and validated completely, then applied in one store
// transaction: the preview is the same transaction rolled back.
package configio

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"time"

	"golang.org/x/crypto/argon2"

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

const (
	Format        = "cloudbridge-config"
	Version       = 1
	MaxFileSize   = 4 << 20 // a real export is a few hundred KB
	MinPassphrase = 8

	SecretsOmitted   = "omitted"
	SecretsEncrypted = "encrypted"

	// argon2id cost for the passphrase key (RFC 9106's second recommended
	// option); an imported file may ask for at most maxMemory/maxTime, so a
	// crafted file cannot make the import eat the machine.
	kdfThreads = 2
)

// The export's argon2id cost; variables so the fuzz target can afford
// thousands of parses.
var (
	kdfTime   uint32 = 3
	kdfMemory uint32 = 64 * 1024 // KiB
	maxTime   uint32 = 10
	maxMemory uint32 = 256 * 1024
)

// File is the exported document.
type File struct {
	Format     string          `json:"format"`
	Version    int             `json:"version"`
	ExportedAt time.Time       `json:"exportedAt"`
	AppVersion string          `json:"appVersion"`
	Secrets    string          `json:"secrets"` // omitted | encrypted
	Note       string          `json:"note"`
	Checksum   string          `json:"sha256"` // of the raw "sections" bytes
	Sections   json.RawMessage `json:"sections"`
	Sealed     *Sealed         `json:"encryptedSecrets,omitempty"`
}

// Sealed holds the secrets, encrypted with the passphrase.
type Sealed struct {
	KDF        string `json:"kdf"` // argon2id
	Time       uint32 `json:"time"`
	MemoryKiB  uint32 `json:"memoryKiB"`
	Threads    uint8  `json:"threads"`
	Salt       string `json:"salt"`  // base64
	Check      string `json:"check"` // tells a wrong passphrase from a tampered file
	Nonce      string `json:"nonce"`
	Ciphertext string `json:"ciphertext"`
}

// Sections is the configuration proper.
type Sections struct {
	Settings settings.Settings   `json:"settings"`
	Corps    []tenant.CorpConfig `json:"corps"`
	Apps     []tenant.AppConfig  `json:"apps"`
	OA       *oa.Config          `json:"oa"` // null: not configured
	Sync     []syncer.Settings   `json:"sync"`
	Binding  []binding.Settings  `json:"binding"`
	Relay    relay.RelayConfig   `json:"relay"`
	QR       sso.QRSettings      `json:"qr"`
	Backup   backup.Settings     `json:"backup"`
}

// Secrets are the secret values, by owner.
type Secrets struct {
	Apps    map[string]string          `json:"apps"`    // app id → client secret
	OA      map[string]string          `json:"oa"`      // tokenKey, appSecret, oauth2Secret
	Systems map[string]string          `json:"systems"` // relay OA system id → secret
	Extra   map[string]json.RawMessage `json:"extra,omitempty"`
	TLS     *TLSPair                   `json:"tls,omitempty"` // the public listener's certificate and key
}

// TLSPair is the public listener's certificate and private key (the
// settings hold only their paths, which mean nothing on another machine).
type TLSPair struct {
	Cert string `json:"cert"` // PEM
	Key  string `json:"key"`  // PEM
}

// Extra is a secret-only part the app adds (the admin password hash lives
// in the app package, which configio cannot import).
type Extra struct {
	Name   string
	Export func(tx *store.Tx) (json.RawMessage, bool, error)
	Import func(tx *store.Tx, v json.RawMessage) error
}

const noteOmitted = "Secrets (app secrets, OA keys and passwords, push source secrets, the TLS certificate and key, the admin password) are NOT in this file: it was exported without a passphrase. Importing it keeps the secrets the target installation already has; new apps need their secret entered."
const noteEncrypted = "Secrets are included, encrypted with the passphrase chosen at export (argon2id + AES-256-GCM). Any edit to this file makes the import refuse it."

// collect reads every area's configuration in one transaction.
func collect(db *store.DB, tx *store.Tx, extras []Extra) (Sections, Secrets, error) {
	var s Sections
	sec := Secrets{Extra: map[string]json.RawMessage{}}
	var err error
	if s.Settings, err = settings.Load(tx); err != nil {
		return s, sec, err
	}
	if s.Settings.TLSCertFile != "" && s.Settings.TLSKeyFile != "" {
		// Unreadable files stay out: the paths still travel, and the
		// preview shows the settings unchanged or changed as they are.
		cert, e1 := os.ReadFile(s.Settings.TLSCertFile)
		key, e2 := os.ReadFile(s.Settings.TLSKeyFile)
		if e1 == nil && e2 == nil {
			sec.TLS = &TLSPair{Cert: string(cert), Key: string(key)}
		}
	}
	if s.Corps, err = tenant.ExportCorps(tx); err != nil {
		return s, sec, err
	}
	if s.Apps, sec.Apps, err = tenant.ExportApps(db, tx); err != nil {
		return s, sec, err
	}
	cfg, oaSecrets, ok, err := oaconfig.ExportConfig(db, tx)
	if err != nil {
		return s, sec, err
	}
	if ok {
		s.OA, sec.OA = &cfg, oaSecrets
	}
	if s.Sync, err = syncer.ExportSettings(tx); err != nil {
		return s, sec, err
	}
	if s.Binding, err = binding.ExportSettings(tx); err != nil {
		return s, sec, err
	}
	if s.Relay, sec.Systems, err = relay.ExportConfig(db, tx); err != nil {
		return s, sec, err
	}
	if s.QR, err = sso.ExportQR(tx); err != nil {
		return s, sec, err
	}
	if s.Backup, err = backup.ExportSettings(tx); err != nil {
		return s, sec, err
	}
	for _, x := range extras {
		v, ok, err := x.Export(tx)
		if err != nil {
			return s, sec, err
		}
		if ok {
			sec.Extra[x.Name] = v
		}
	}
	return s, sec, nil
}

// Export writes the configuration of db; with a passphrase the secrets are
// included, encrypted.
func Export(db *store.DB, passphrase, appVersion string, now time.Time, extras []Extra) ([]byte, error) {
	if passphrase != "" && len([]rune(passphrase)) < MinPassphrase {
		return nil, core.ErrConfigPassphraseShort.New("min", strconv.Itoa(MinPassphrase))
	}
	var s Sections
	var sec Secrets
	if err := db.View(func(tx *store.Tx) error { var e error; s, sec, e = collect(db, tx, extras); return e }); err != nil {
		return nil, err
	}
	raw, err := json.MarshalIndent(s, "  ", "  ")
	if err != nil {
		return nil, core.ErrInternal.Wrap(err)
	}
	f := File{Format: Format, Version: Version, ExportedAt: now.UTC().Truncate(time.Second), AppVersion: appVersion,
		Secrets: SecretsOmitted, Note: noteOmitted, Sections: raw}
	f.Checksum = hexSum(raw)
	if passphrase != "" {
		f.Secrets, f.Note = SecretsEncrypted, noteEncrypted
		plain, err := json.Marshal(sec)
		if err != nil {
			return nil, core.ErrInternal.Wrap(err)
		}
		if f.Sealed, err = seal(plain, passphrase, &f); err != nil {
			return nil, err
		}
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, core.ErrInternal.Wrap(err)
	}
	return append(out, '\n'), nil
}

func hexSum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func aad(f *File) []byte {
	return []byte(fmt.Sprintf("%s|%d|%s|%s|%s", f.Format, f.Version, f.ExportedAt.UTC().Format(time.RFC3339), f.AppVersion, f.Checksum))
}

func passKey(pass string, salt []byte, t, m uint32, p uint8) (key, check []byte) {
	k := argon2.IDKey([]byte(pass), salt, t, m, p, 32)
	c := sha256.Sum256(append([]byte("cloudbridge/config-check/"), k...))
	return k, c[:8]
}

func gcm(key []byte) cipher.AEAD {
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		panic(err)
	}
	return g
}

func seal(plain []byte, pass string, f *File) (*Sealed, error) {
	salt := make([]byte, 16)
	nonce := make([]byte, 12)
	if _, err := rand.Read(salt); err != nil {
		return nil, core.ErrInternal.Wrap(err)
	}
	if _, err := rand.Read(nonce); err != nil {
		return nil, core.ErrInternal.Wrap(err)
	}
	key, check := passKey(pass, salt, kdfTime, kdfMemory, kdfThreads)
	ct := gcm(key).Seal(nil, nonce, plain, aad(f))
	enc := base64.StdEncoding.EncodeToString
	return &Sealed{KDF: "argon2id", Time: kdfTime, MemoryKiB: kdfMemory, Threads: kdfThreads,
		Salt: enc(salt), Check: enc(check), Nonce: enc(nonce), Ciphertext: enc(ct)}, nil
}

// Parsed is a file that passed every check.
type Parsed struct {
	File     File
	Sections Sections
	Secrets  *Secrets // nil when the file has none
}

func malformed(reason string) error { return core.ErrConfigMalformed.New("reason", reason) }

// Parse checks a file completely: size, JSON, format and version, checksum,
// and with encrypted secrets the passphrase and the integrity of the whole.
func Parse(data []byte, passphrase string) (*Parsed, error) {
	if len(data) > MaxFileSize {
		return nil, core.ErrConfigTooLarge.New("max", "4 MB")
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		if json.Valid(data) { // JSON, but not shaped like an export
			return nil, core.ErrConfigNotAnExport.New()
		}
		return nil, malformed(jsonReason(err))
	}
	if dec.More() {
		return nil, malformed("trailing data after the JSON document")
	}
	if f.Format != Format {
		return nil, core.ErrConfigNotAnExport.New()
	}
	if f.Version != Version {
		return nil, core.ErrConfigVersion.New("have", strconv.Itoa(f.Version), "want", strconv.Itoa(Version))
	}
	if len(f.Sections) == 0 || bytes.Equal(f.Sections, []byte("null")) {
		return nil, malformed(`"sections" is missing`)
	}
	if hexSum(f.Sections) != f.Checksum {
		return nil, core.ErrConfigTampered.New()
	}
	p := &Parsed{File: f}
	sd := json.NewDecoder(bytes.NewReader(f.Sections))
	sd.DisallowUnknownFields()
	if err := sd.Decode(&p.Sections); err != nil {
		return nil, malformed(jsonReason(err))
	}
	switch f.Secrets {
	case SecretsOmitted:
		if f.Sealed != nil {
			return nil, core.ErrConfigTampered.New()
		}
	case SecretsEncrypted:
		if f.Sealed == nil {
			return nil, core.ErrConfigTampered.New()
		}
		if passphrase == "" {
			return nil, core.ErrConfigPassphraseRequired.New()
		}
		sec, err := open(f.Sealed, passphrase, &f)
		if err != nil {
			return nil, err
		}
		p.Secrets = sec
	default:
		return nil, malformed(`"secrets" must be "omitted" or "encrypted"`)
	}
	return p, nil
}

func open(s *Sealed, pass string, f *File) (*Secrets, error) {
	if s.KDF != "argon2id" || s.Time == 0 || s.Time > maxTime || s.MemoryKiB < 8*1024 || s.MemoryKiB > maxMemory || s.Threads == 0 || s.Threads > 16 {
		return nil, malformed("unsupported key derivation parameters")
	}
	dec := base64.StdEncoding.DecodeString
	salt, e1 := dec(s.Salt)
	check, e2 := dec(s.Check)
	nonce, e3 := dec(s.Nonce)
	ct, e4 := dec(s.Ciphertext)
	if err := errors.Join(e1, e2, e3, e4); err != nil || len(salt) < 16 || len(nonce) != 12 || len(check) != 8 {
		return nil, core.ErrConfigTampered.New()
	}
	key, want := passKey(pass, salt, s.Time, s.MemoryKiB, s.Threads)
	if !bytes.Equal(want, check) {
		return nil, core.ErrConfigWrongPassphrase.New()
	}
	plain, err := gcm(key).Open(nil, nonce, ct, aad(f))
	if err != nil {
		return nil, core.ErrConfigTampered.New()
	}
	var sec Secrets
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, core.ErrConfigTampered.New()
	}
	return &sec, nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%q has the wrong type", te.Field)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the file is empty or cut short"
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}

// Change is what an import does to one section.
type Change struct {
	Section string       `json:"section"`
	Added   int          `json:"added"`
	Changed int          `json:"changed"`
	Kept    int          `json:"kept"`
	Items   []ItemChange `json:"items"`
}

// ItemChange is one record of a section: add, change or keep.
type ItemChange struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Op    string `json:"op"` // add | change | keep
}

// Preview is what an import would do; nothing is applied.
type Preview struct {
	ExportedAt      time.Time `json:"exportedAt"`
	AppVersion      string    `json:"appVersion"`
	Secrets         string    `json:"secrets"`
	SecretsIncluded bool      `json:"secretsIncluded"`
	Sections        []Change  `json:"sections"`
}

var errDryRun = errors.New("configio: dry run")

// Import applies a parsed file to db in one transaction; with dryRun the
// transaction is rolled back and only the preview returned.
//
// A TLS certificate and key in the secrets are written into tlsDir (new
// file names, so the pair in use is never overwritten) and the settings
// point at them, unless the paths in the file already hold the same pair.
func Import(db *store.DB, p *Parsed, now time.Time, extras []Extra, tlsDir string, dryRun bool) (Preview, error) {
	pv := Preview{ExportedAt: p.File.ExportedAt, AppVersion: p.File.AppVersion, Secrets: p.File.Secrets, SecretsIncluded: p.Secrets != nil}
	sec := Secrets{}
	if p.Secrets != nil {
		sec = *p.Secrets
	}
	in := p.Sections
	committed := false
	var written []string
	defer func() {
		if !committed {
			for _, f := range written {
				os.Remove(f)
			}
		}
	}()
	if t := sec.TLS; t != nil && tlsDir != "" && !(sameContent(in.Settings.TLSCertFile, t.Cert) && sameContent(in.Settings.TLSKeyFile, t.Key)) {
		if _, err := tls.X509KeyPair([]byte(t.Cert), []byte(t.Key)); err != nil {
			return pv, invalid("settings", core.ErrSettingsTLSFiles.New("reason", "the certificate and key in the file do not form a pair"))
		}
		stamp := now.UTC().Format("20060102T150405Z")
		in.Settings.TLSCertFile = filepath.Join(tlsDir, "imported-"+stamp+"-cert.pem")
		in.Settings.TLSKeyFile = filepath.Join(tlsDir, "imported-"+stamp+"-key.pem")
		if !dryRun {
			if err := os.MkdirAll(tlsDir, 0o700); err != nil {
				return pv, core.ErrBackupWriteFailed.Wrap(err, "dir", tlsDir)
			}
			for _, f := range []struct{ path, pem string }{{in.Settings.TLSCertFile, t.Cert}, {in.Settings.TLSKeyFile, t.Key}} {
				if err := os.WriteFile(f.path, []byte(f.pem), 0o600); err != nil {
					return pv, core.ErrBackupWriteFailed.Wrap(err, "dir", tlsDir)
				}
				written = append(written, f.path)
			}
		}
	}
	err := db.Update(func(tx *store.Tx) error {
		cur, curSec, err := collect(db, tx, extras)
		if err != nil {
			return err
		}
		pv.Sections = diff(cur, curSec, in, sec, extras)
		step := func(section string, err error) error {
			if err == nil {
				return nil
			}
			return invalid(section, err)
		}
		if err := step("settings", settings.Save(tx, in.Settings)); err != nil {
			return err
		}
		if err := step("corps", tenant.ImportCorps(tx, in.Corps, now)); err != nil {
			return err
		}
		if err := step("apps", tenant.ImportApps(db, tx, in.Apps, sec.Apps, now)); err != nil {
			return err
		}
		if in.OA != nil {
			if err := step("oa", oaconfig.ImportConfig(db, tx, *in.OA, sec.OA, now)); err != nil {
				return err
			}
		}
		corpOK := func(section, corpID string) error {
			ok, err := tenant.CorpExists(tx, corpID)
			if err == nil && !ok {
				err = core.ErrCorpNotFound.New()
			}
			return step(section, err)
		}
		appCorp := func(appID string) (string, bool, error) { return tenant.AppCorp(tx, appID) }
		for _, s := range in.Sync {
			if err := corpOK("sync", s.CorpID); err != nil {
				return err
			}
			if s.AppID != "" {
				corp, ok, err := appCorp(s.AppID)
				if err == nil && (!ok || corp != s.CorpID) {
					err = core.ErrAppNotFound.New()
				}
				if err := step("sync", err); err != nil {
					return err
				}
			}
		}
		if err := step("sync", syncer.ImportSettings(tx, in.Sync, now)); err != nil {
			return err
		}
		for _, s := range in.Binding {
			if err := corpOK("binding", s.CorpID); err != nil {
				return err
			}
		}
		if err := step("binding", binding.ImportSettings(tx, in.Binding, "config import", now)); err != nil {
			return err
		}
		if err := step("relay", relay.ImportConfig(db, tx, in.Relay, sec.Systems, appCorp, now)); err != nil {
			return err
		}
		if err := step("qr", sso.ImportQR(tx, in.QR, appCorp, now)); err != nil {
			return err
		}
		if err := step("backup", backup.ImportSettings(tx, in.Backup)); err != nil {
			return err
		}
		for _, x := range extras {
			if v, ok := sec.Extra[x.Name]; ok {
				if err := step(x.Name, x.Import(tx, v)); err != nil {
					return err
				}
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	committed = err == nil && !dryRun
	return pv, err
}

func sameContent(path, want string) bool {
	if path == "" {
		return false
	}
	b, err := os.ReadFile(path)
	return err == nil && string(b) == want
}

// invalid names the section an area's refusal came from; the area's own
// catalogue error travels along so the UI shows it in the admin's language.
func invalid(section string, err error) error {
	ce := core.AsError(err)
	if ce == nil || ce.Code == core.ErrInternal.Code || core.Of(err, core.ErrStoreFull) || core.Of(err, core.ErrConflict) {
		return err
	}
	inner, _ := json.Marshal(ce)
	return core.ErrConfigInvalid.New("section", section, "detail", core.Translate("en-US", ce.Code, ce.Params), "inner", string(inner))
}

// volatile fields differ between two installations without being
// configuration.
var volatile = map[string]bool{"updatedAt": true, "createdAt": true, "updatedBy": true}

func norm(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return strip(out)
}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if volatile[k] {
				delete(x, k)
			} else {
				x[k] = strip(x[k])
			}
		}
	case []any:
		for i := range x {
			x[i] = strip(x[i])
		}
	}
	return v
}

func single(section, label string, cur, in any, secretsDiffer bool) Change {
	c := Change{Section: section}
	op := "keep"
	if !reflect.DeepEqual(norm(cur), norm(in)) || secretsDiffer {
		op = "change"
	}
	c.add(ItemChange{Key: section, Label: label, Op: op})
	return c
}

func (c *Change) add(it ItemChange) {
	switch it.Op {
	case "add":
		c.Added++
	case "change":
		c.Changed++
	default:
		c.Kept++
	}
	c.Items = append(c.Items, it)
}

// list diffs keyed records: key and label pick them out of the JSON form.
func list[T any](section string, cur, in []T, key, label func(T) string, secret func(string) bool) Change {
	c := Change{Section: section, Items: []ItemChange{}}
	have := map[string]any{}
	for _, v := range cur {
		have[key(v)] = norm(v)
	}
	seen := map[string]bool{}
	for _, v := range in {
		k := key(v)
		seen[k] = true
		old, ok := have[k]
		switch {
		case !ok:
			c.add(ItemChange{Key: k, Label: label(v), Op: "add"})
		case !reflect.DeepEqual(old, norm(v)) || (secret != nil && secret(k)):
			c.add(ItemChange{Key: k, Label: label(v), Op: "change"})
		default:
			c.add(ItemChange{Key: k, Label: label(v), Op: "keep"})
		}
	}
	// Records the file does not have stay as they are: an import never
	// deletes.
	for _, v := range cur {
		if !seen[key(v)] {
			c.Kept++
		}
	}
	sort.SliceStable(c.Items, func(i, j int) bool { return opRank[c.Items[i].Op] < opRank[c.Items[j].Op] })
	return c
}

var opRank = map[string]int{"add": 0, "change": 1, "keep": 2}

func differs(cur, in map[string]string, k string) bool { return in[k] != "" && in[k] != cur[k] }

func diff(cur Sections, cs Secrets, in Sections, is Secrets, extras []Extra) []Change {
	corpName := map[string]string{}
	for _, c := range append(append([]tenant.CorpConfig{}, cur.Corps...), in.Corps...) {
		corpName[c.ID] = c.Name
	}
	tlsDiffers := is.TLS != nil && (cs.TLS == nil || *cs.TLS != *is.TLS)
	out := []Change{single("settings", "", cur.Settings, in.Settings, tlsDiffers)}
	out = append(out, list("corps", cur.Corps, in.Corps, func(c tenant.CorpConfig) string { return c.ID }, func(c tenant.CorpConfig) string { return c.Name }, nil))
	out = append(out, list("apps", cur.Apps, in.Apps, func(a tenant.AppConfig) string { return a.ID },
		func(a tenant.AppConfig) string { return corpName[a.CorpID] + " / " + a.Name },
		func(id string) bool { return differs(cs.Apps, is.Apps, id) }))
	if in.OA != nil {
		oaSecret := false
		for k := range is.OA {
			oaSecret = oaSecret || differs(cs.OA, is.OA, k)
		}
		ch := single("oa", in.OA.BaseURL, cur.OA, in.OA, oaSecret)
		if cur.OA == nil {
			ch = Change{Section: "oa"}
			ch.add(ItemChange{Key: "oa", Label: in.OA.BaseURL, Op: "add"})
		}
		out = append(out, ch)
	}
	out = append(out, list("sync", cur.Sync, in.Sync, func(s syncer.Settings) string { return s.CorpID }, func(s syncer.Settings) string { return corpName[s.CorpID] }, nil))
	out = append(out, list("binding", cur.Binding, in.Binding, func(s binding.Settings) string { return s.CorpID }, func(s binding.Settings) string { return corpName[s.CorpID] }, nil))
	out = append(out, single("relaySettings", "", cur.Relay.Settings, in.Relay.Settings, false))
	out = append(out, list("relayRules", cur.Relay.Rules, in.Relay.Rules, func(r relay.Rule) string { return r.ID }, func(r relay.Rule) string { return r.Name }, nil))
	out = append(out, list("relaySystems", cur.Relay.Systems, in.Relay.Systems, func(s relay.SystemConfig) string { return s.ID },
		func(s relay.SystemConfig) string { return s.Name + " (" + s.SysCode + ")" },
		func(id string) bool { return differs(cs.Systems, is.Systems, id) }))
	out = append(out, single("qr", "", cur.QR, in.QR, false))
	out = append(out, single("backup", "", cur.Backup, in.Backup, false))
	for _, x := range extras {
		if v, ok := is.Extra[x.Name]; ok {
			c := Change{Section: x.Name}
			op := "change"
			if bytes.Equal(cs.Extra[x.Name], v) {
				op = "keep"
			} else if cs.Extra[x.Name] == nil {
				op = "add"
			}
			c.add(ItemChange{Key: x.Name, Op: op})
			out = append(out, c)
		}
	}
	return out
}
