package core

import (
	"embed"
	"encoding/json"
	"strings"
)

// Translations shared by the Go side (public pages, logs, OFS replies) and the
// frontend, which imports the same files: one catalogue, two readers.
//
//go:embed locales/*.json
var localeFS embed.FS

// Languages in order of preference; the first is the default.
var Languages = []string{"zh-CN", "en-US"}

var messages = loadMessages()

func loadMessages() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		raw, err := localeFS.ReadFile("locales/" + lang + ".json")
		if err != nil {
			panic(err) // embedded at build time: cannot happen at run time
		}
		var tree map[string]any
		if err := json.Unmarshal(raw, &tree); err != nil {
			panic("locales/" + lang + ".json: " + err.Error())
		}
		flat := map[string]string{}
		flatten("", tree, flat)
		out[lang] = flat
	}
	return out
}

func flatten(prefix string, tree map[string]any, out map[string]string) {
	for k, v := range tree {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			out[key] = v
		case map[string]any:
			flatten(key, v, out)
		}
	}
}

// NormalizeLang maps an Accept-Language value or a stored preference to one
// of Languages.
func NormalizeLang(s string) string {
	s = strings.ToLower(s)
	if strings.HasPrefix(s, "en") {
		return "en-US"
	}
	return Languages[0]
}

// HasMessage reports whether errors.<code> exists in the default language.
func HasMessage(code string) bool {
	_, ok := messages[Languages[0]]["errors."+code]
	return ok
}

// Translate renders errors.<code> in lang with {name} placeholders filled.
func Translate(lang, code string, params map[string]string) string {
	return T(lang, "errors."+code, params)
}

// T renders any key of the shared catalogue.
func T(lang, key string, params map[string]string) string {
	msg, ok := messages[NormalizeLang(lang)][key]
	if !ok {
		msg, ok = messages[Languages[0]][key]
	}
	if !ok {
		return key
	}
	for k, v := range params {
		msg = strings.ReplaceAll(msg, "{"+k+"}", v)
	}
	return msg
}

// Keys lists every key of a language (for tests that keep the files in step).
func Keys(lang string) []string {
	var keys []string
	for k := range messages[lang] {
		keys = append(keys, k)
	}
	return keys
}
