package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"cloudbridge/backend/core"
)

// Sealed is an encrypted secret as stored: "v1:" + base64(nonce‖ciphertext).
// It is never sent to the UI; views expose only whether it is set.
type Sealed string

func (s Sealed) IsSet() bool { return s != "" }

type sealer struct{ aead cipher.AEAD }

func deriveKey(master []byte, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, master, nil, "cloudbridge/"+purpose, 32)
	if err != nil {
		panic(err) // only fails for impossible lengths
	}
	return k
}

func newSealer(key []byte) *sealer {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &sealer{aead: aead}
}

func (s *sealer) seal(aad, plain string) (Sealed, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", core.Errorf("nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte(aad))
	return Sealed("v1:" + base64.RawStdEncoding.EncodeToString(out)), nil
}

func (s *sealer) open(aad string, v Sealed) (string, error) {
	if v == "" {
		return "", nil
	}
	raw, ok := strings.CutPrefix(string(v), "v1:")
	if !ok {
		return "", core.ErrDecrypt.New()
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", core.ErrDecrypt.New()
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], []byte(aad))
	if err != nil {
		return "", core.ErrDecrypt.Wrap(err)
	}
	return string(plain), nil
}
