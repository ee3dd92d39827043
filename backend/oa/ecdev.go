package oa

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"cloudbridge/backend/core"
)

// ecdevAuth runs e-cology's ec/dev token handshake (reference §2):
//
//	regist     headers appid, cpk          → {status, spk, secrit}  (once; persisted)
//	applytoken headers appid, secret, time → {status, token}        (whenever the token expires)
//	calls      headers appid, token, userid=base64(RSA(spk, "<OA user id>"))
//
// Calling regist again rotates the OA's keys for every client of the appid,
// so spk + secrit are persisted in Deps.State and regist runs only when
// there is no saved handshake or the OA no longer accepts it.
type ecdevAuth struct {
	base     string
	appID    string
	userID   string
	ttl      time.Duration
	state    StateStore
	stateKey string
	call     *caller
	clock    core.Clock

	mu       sync.Mutex
	loaded   bool
	spk      *rsa.PublicKey
	spkRaw   string
	secrit   string
	token    string
	tokenExp time.Time
}

// ecdevState is what Deps.State keeps.
type ecdevState struct {
	SPK          string    `json:"spk"`
	Secrit       string    `json:"secrit"`
	RegisteredAt time.Time `json:"registeredAt"`
}

func newECDevAuth(base string, auth AuthConfig, call *caller, deps Deps) *ecdevAuth {
	ttl := auth.TokenTTL
	if ttl <= 0 {
		ttl = 30 * time.Minute
	}
	uid := auth.UserID
	if uid == "" {
		uid = "1"
	}
	return &ecdevAuth{base: base, appID: auth.AppID, userID: uid, ttl: ttl, state: deps.State,
		stateKey: ecdevStateKey(base, auth.AppID), call: call, clock: deps.Clock}
}

// headers returns the call headers acting as userID ("" = the configured
// acting user) and the token they carry.
func (a *ecdevAuth) headers(ctx context.Context, userID string) (http.Header, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.ensureLocked(ctx); err != nil {
		return nil, "", err
	}
	if userID == "" {
		userID = a.userID
	}
	enc, err := rsaEncryptB64(a.spk, []byte(userID))
	if err != nil {
		return nil, "", core.ErrOAHandshake.Wrap(err, "step", "userid", "message", "")
	}
	h := http.Header{}
	h.Set("appid", a.appID)
	h.Set("token", a.token)
	h.Set("userid", enc)
	return h, a.token, nil
}

// invalidate drops token after the OA rejected it (unless another call
// already replaced it).
func (a *ecdevAuth) invalidate(token string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == token {
		a.token = ""
	}
}

func (a *ecdevAuth) ensureLocked(ctx context.Context) error {
	now := a.clock.Now()
	if a.token != "" && now.Before(a.tokenExp.Add(-time.Minute)) {
		return nil
	}
	if !a.loaded {
		raw, err := a.state.Get(ctx, a.stateKey)
		if err != nil {
			return core.ErrOAHandshake.Wrap(err, "step", "state", "message", "")
		}
		var st ecdevState
		if len(raw) > 0 && json.Unmarshal(raw, &st) == nil && st.SPK != "" && st.Secrit != "" {
			if pub, err := parsePublicKeyB64(st.SPK); err == nil {
				a.spk, a.spkRaw, a.secrit = pub, st.SPK, st.Secrit
			}
		}
		a.loaded = true
	}
	fresh := false
	if a.spk == nil {
		if err := a.registLocked(ctx); err != nil {
			return err
		}
		fresh = true
	}
	err := a.applyTokenLocked(ctx)
	if err != nil && !fresh && core.Of(err, core.ErrOAHandshake) {
		// The saved handshake no longer works: the OA was re-registered by
		// someone else, its keys were reset, or the appid was re-created.
		// guess: e-cology answers applytoken with status false ("解密失败！")
		// in all these cases; any refusal therefore triggers one re-regist.
		a.call.log.Warn("ec/dev token refused with the saved handshake; registering again (this rotates the OA's keys for this appid)",
			"appid", a.appID, "err", err)
		if err := a.registLocked(ctx); err != nil {
			return err
		}
		err = a.applyTokenLocked(ctx)
	}
	return err
}

// ecdevAnswer is the regist/applytoken answer. status is a JSON boolean in
// the documented failure sample and compared to "true" by callers, so both
// forms are accepted.
type ecdevAnswer struct {
	Status flexString `json:"status"`
	Code   flexString `json:"code"`
	Msg    flexString `json:"msg"`
	SPK    flexString `json:"spk"`
	Secrit flexString `json:"secrit"`
	Token  flexString `json:"token"`
}

func (a *ecdevAuth) post(ctx context.Context, step, path string, h http.Header) (*ecdevAnswer, error) {
	endpoint := path
	resp, err := a.call.do(ctx, endpoint, func(ctx context.Context) (*http.Request, error) {
		return formRequest(ctx, a.base+path, url.Values{}, h)
	})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, core.ErrOAHandshake.New("step", step, "message", "HTTP "+strconv.Itoa(resp.status))
	}
	var ans ecdevAnswer
	if err := json.Unmarshal(resp.body, &ans); err != nil {
		return nil, core.ErrOAHandshake.Wrap(err, "step", step, "message", snippet(resp.body))
	}
	if !strings.EqualFold(ans.Status.String(), "true") {
		return nil, core.ErrOAHandshake.New("step", step, "message", ans.Msg.String())
	}
	return &ans, nil
}

func (a *ecdevAuth) registLocked(ctx context.Context) error {
	// The client key pair is only sent as cpk; nothing the bridge uses is
	// encrypted with it, so it is not kept.
	cli, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		return core.ErrOAHandshake.Wrap(err, "step", "regist", "message", "")
	}
	der, err := x509.MarshalPKIXPublicKey(&cli.PublicKey)
	if err != nil {
		return core.ErrOAHandshake.Wrap(err, "step", "regist", "message", "")
	}
	h := http.Header{}
	h.Set("appid", a.appID)
	h.Set("cpk", base64.StdEncoding.EncodeToString(der))
	ans, err := a.post(ctx, "regist", "/api/ec/dev/auth/regist", h)
	if err != nil {
		return err
	}
	pub, err := parsePublicKeyB64(ans.SPK.String())
	if err != nil || ans.Secrit.String() == "" {
		return core.ErrOAHandshake.New("step", "regist", "message", "no spk/secrit in the answer")
	}
	a.spk, a.spkRaw, a.secrit, a.token = pub, ans.SPK.String(), ans.Secrit.String(), ""
	raw, _ := json.Marshal(ecdevState{SPK: a.spkRaw, Secrit: a.secrit, RegisteredAt: a.clock.Now()})
	if err := a.state.Put(ctx, a.stateKey, raw); err != nil {
		return core.ErrOAHandshake.Wrap(err, "step", "state", "message", "")
	}
	return nil
}

func (a *ecdevAuth) applyTokenLocked(ctx context.Context) error {
	secret, err := rsaEncryptB64(a.spk, []byte(a.secrit))
	if err != nil {
		return core.ErrOAHandshake.Wrap(err, "step", "applytoken", "message", "")
	}
	h := http.Header{}
	h.Set("appid", a.appID)
	h.Set("secret", secret)
	h.Set("time", strconv.Itoa(int(a.ttl/time.Second)))
	ans, err := a.post(ctx, "applytoken", "/api/ec/dev/auth/applytoken", h)
	if err != nil {
		return err
	}
	if ans.Token.String() == "" {
		return core.ErrOAHandshake.New("step", "applytoken", "message", "no token in the answer")
	}
	a.token = ans.Token.String()
	a.tokenExp = a.clock.Now().Add(a.ttl)
	return nil
}

// parsePublicKeyB64 reads a base64 X.509 SubjectPublicKeyInfo ("MIGf…"),
// or a PKCS#1 key, with or without PEM armour.
func parsePublicKeyB64(s string) (*rsa.PublicKey, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "-----BEGIN PUBLIC KEY-----")
	s = strings.TrimSuffix(s, "-----END PUBLIC KEY-----")
	s = strings.Join(strings.Fields(s), "")
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if der, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err != nil {
			return nil, err
		}
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		if pub, ok := k.(*rsa.PublicKey); ok {
			return pub, nil
		}
		return nil, fmt.Errorf("not an RSA key")
	}
	return x509.ParsePKCS1PublicKey(der)
}

// rsaEncryptB64 is base64(RSA_PKCS1v15(pub, msg)), the only encryption
// e-cology's ec/dev and login APIs use.
func rsaEncryptB64(pub *rsa.PublicKey, msg []byte) (string, error) {
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, pub, msg)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}
