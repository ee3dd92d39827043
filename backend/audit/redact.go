package audit

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Masked replaces a secret's value.
const Masked = "***"

// Limits that keep an entry small: an Excel import travels as a base64
// string of megabytes, a resend as thousands of ids.
const (
	maxString = 256
	maxItems  = 50
	maxBytes  = 16 << 10
	maxDecode = 256 << 10 // larger arguments are noted by size, never parsed
)

// secretWords: a field whose name contains one of these holds a secret.
// "key" is matched at the end of a name ("tokenKey", "appKey",
// "privateKey") so that "keyFile" (a path) and "keep" stay readable.
var secretWords = []string{"secret", "password", "passwd", "passphrase", "token", "pem", "credential", "cookie", "signature"}

// notSecret are names ending in "key" that are identifiers in this product:
// a bare "key" is an OA entry's or a WeLink message field's name, a
// "groupKey" groups pushes. Masking them would hide what an action touched.
var notSecret = map[string]bool{"key": true, "groupkey": true}

// IsSecretName reports whether a field or parameter name denotes a secret.
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	if notSecret[n] {
		return false
	}
	return strings.HasSuffix(n, "key") || n == "cert" || n == "certificate"
}

// Redact encodes v (a Go value, or json.RawMessage) as JSON with every
// secret masked: the values of fields named like a secret (IsSecretName;
// booleans such as "secretSet" stay, they only say whether one is set), and
// any string holding a PEM block whatever its name. Long strings and arrays
// are cut with a note of their size. nil stays nil.
func Redact(v any) json.RawMessage {
	var tree any
	switch x := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		if len(bytes.TrimSpace(x)) == 0 {
			return nil
		}
		if err := json.Unmarshal(x, &tree); err != nil {
			return json.RawMessage(strconv.Quote("(" + strconv.Itoa(len(x)) + " bytes, not JSON)"))
		}
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return nil
		}
		json.Unmarshal(raw, &tree)
	}
	out, err := json.Marshal(redactTree(tree, false))
	if err != nil {
		return nil
	}
	if len(out) > maxBytes {
		// Still valid JSON, still without secrets: a note of the size.
		return json.RawMessage(strconv.Quote("(" + strconv.Itoa(len(out)) + " bytes, too large to keep)"))
	}
	return out
}

// RedactNamed is Redact for positional arguments whose names are known:
// the result is an object {name: value} so secrets passed as plain strings
// are masked by name too.
func RedactNamed(names []string, args []json.RawMessage) json.RawMessage {
	obj := make(map[string]json.RawMessage, len(args))
	for i, a := range args {
		name := "arg" + strconv.Itoa(i)
		if i < len(names) {
			name = names[i]
		}
		if len(a) > maxDecode {
			// An uploaded file: not worth decoding only to drop it.
			a = json.RawMessage(strconv.Quote("(" + strconv.Itoa(len(a)) + " bytes, too large to keep)"))
		}
		obj[name] = a
	}
	raw, _ := json.Marshal(obj)
	return Redact(json.RawMessage(raw))
}

func redactTree(v any, secret bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = redactTree(val, IsSecretName(k))
		}
		return out
	case []any:
		n := len(x)
		if n > maxItems {
			x = x[:maxItems]
		}
		out := make([]any, 0, len(x)+1)
		for _, val := range x {
			out = append(out, redactTree(val, secret))
		}
		if n > maxItems {
			out = append(out, "… "+strconv.Itoa(n-maxItems)+" more")
		}
		return out
	case string:
		if secret || strings.Contains(x, "-----BEGIN ") {
			if x == "" {
				return "" // "not set" is not a secret, and shows a change
			}
			return Masked
		}
		if len(x) > maxString {
			cut := maxString
			for cut > 0 && !utf8.RuneStart(x[cut]) {
				cut--
			}
			return x[:cut] + "…(" + strconv.Itoa(len(x)) + " bytes)"
		}
		return x
	case bool, nil:
		return x
	default: // numbers
		if secret {
			return Masked
		}
		return x
	}
}

// Changes lists the dotted paths whose values differ between two redacted
// JSON documents (the UI's diff does the same; the export prints these).
func Changes(before, after json.RawMessage) []string {
	var b, a any
	if len(before) > 0 {
		json.Unmarshal(before, &b)
	}
	if len(after) > 0 {
		json.Unmarshal(after, &a)
	}
	var out []string
	diff("", b, a, &out)
	sort.Strings(out)
	return out
}

func diff(path string, b, a any, out *[]string) {
	bm, bok := b.(map[string]any)
	am, aok := a.(map[string]any)
	if bok && aok {
		for k := range union(bm, am) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			diff(p, bm[k], am[k], out)
		}
		return
	}
	bj, _ := json.Marshal(b)
	aj, _ := json.Marshal(a)
	if !bytes.Equal(bj, aj) {
		if path == "" {
			path = "."
		}
		*out = append(*out, path)
	}
}

func union(a, b map[string]any) map[string]struct{} {
	out := make(map[string]struct{}, len(a)+len(b))
	for k := range a {
		out[k] = struct{}{}
	}
	for k := range b {
		out[k] = struct{}{}
	}
	return out
}
