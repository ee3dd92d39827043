package welink

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"cloudbridge/backend/core"
)

// Code is WeLink's "code" field. Most APIs send a string ("0"), some contact
// lists a number (0), so both are accepted and kept as their decimal text.
type Code string

func (c *Code) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	*c = Code(s)
	return err
}

// FlexString is a string field that WeLink sends as a string on one API and
// as a number on another (userStatus, uuid, deptLevel, pageSize …).
type FlexString string

func (f *FlexString) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	*f = FlexString(s)
	return err
}

func (f FlexString) String() string { return string(f) }

// FlexInt is a number field that may arrive as a number, a numeric string or
// a boolean (hasMore is an int in the SDK, a bool in some third-party
// models). Anything unreadable is 0.
type FlexInt int

func (f *FlexInt) UnmarshalJSON(b []byte) error {
	s, err := flexText(b)
	if err != nil {
		return err
	}
	switch s {
	case "", "false", "null":
		*f = 0
	case "true":
		*f = 1
	default:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			*f = 0
			return nil
		}
		*f = FlexInt(n)
	}
	return nil
}

// flexText reads a JSON string, number, bool or null as text.
func flexText(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return "", nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	if b[0] == '{' || b[0] == '[' {
		return "", nil // an object where a scalar belongs reads as absent
	}
	s := string(b)
	// 0.0 or 1e3 from a lax serializer: keep integers integral.
	if strings.ContainsAny(s, ".eE") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
			return strconv.FormatInt(int64(f), 10), nil
		}
	}
	return s, nil
}

// CodeOf returns the WeLink code an error carries ("" for network errors,
// context errors and anything that did not come from WeLink).
func CodeOf(err error) string {
	var e *core.Error
	if errors.As(err, &e) && e.Params != nil {
		return e.Params["code"]
	}
	return ""
}

// FailedUserIDs returns the receivers WeLink refused (51019 and partial
// message failures), as carried by an error from this package.
func FailedUserIDs(err error) []string {
	var e *core.Error
	if errors.As(err, &e) && e.Params != nil && e.Params["failedUserIds"] != "" {
		return strings.Split(e.Params["failedUserIds"], ",")
	}
	return nil
}

// IsPermissionDenied reports a 501: the API is not granted to the app.
func IsPermissionDenied(err error) bool { return CodeOf(err) == CodePermissionDenied }

// WeLink codes the client acts on.
const (
	CodeOK               = "0"
	CodeWrongSecret      = "10007"
	CodeLocked           = "41403"
	CodePermissionDenied = "501"
	CodeRateLimited      = "48503"
	CodeTokenInvalid     = "47101"
	CodeOutOfScope       = "51019"
	CodeNotAdmin         = "58003"
	CodeNoData           = "47012"
	CodeNoData2          = "47009"
	CodeSystemError      = "500"
)

// tokenInvalidCodes make the client drop its cached token and retry once.
// 47101 and 55014/41600 are documented token errors of the contact, to-do and
// JSAPI families; 47103 is treated as "token expired" by a third-party
// integrator (inferred, its meaning is not documented).
var tokenInvalidCodes = map[string]bool{"47101": true, "47103": true, "55014": true, "41600": true}

func apiError(code, message, endpoint string, failed []string) *core.Error {
	e := core.WeLinkCode(code, message)
	if e.Params == nil {
		e.Params = map[string]string{}
	}
	e.Params["code"] = code
	if endpoint != "" {
		e.Params["endpoint"] = endpoint
	}
	if len(failed) > 0 {
		e.Params["failedUserIds"] = strings.Join(failed, ",")
	}
	return e
}
