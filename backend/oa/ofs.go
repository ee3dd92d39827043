package oa

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"cloudbridge/backend/core"
)

// OFS is e-cology's unified to-do protocol (统一待办中心, reference §4).
// The OA's push class (or a customer's own class) POSTs to-do changes to
// {serverurl}/rest/ofs/<operation>; the bridge answers like an OFS
// receiver. This file parses every receiver variant into one model (Todo)
// and writes the reply; the public listener (backend/server) routes
// /rest/ofs/{op} here, checks the sender (syscode, IP allow-list, secret)
// and hands the items to the relay outbox.
//
// Not accepted: the …ByXml and SOAP (OfsTodoDataWebService) variants, whose
// request shapes are not publicly documented; they answer
// ErrOAOFSOperation.

// OFSAction is what an item asks for.
type OFSAction string

const (
	OFSUpsert     OFSAction = "upsert"      // ReceiveRequestInfo: create or update in the state isremark says
	OFSTodo       OFSAction = "todo"        // ReceiveTodoRequest: a new to-do
	OFSDone       OFSAction = "done"        // ProcessDoneRequest: to-do → done for one receiver
	OFSOver       OFSAction = "over"        // ProcessOverRequest: the flow is archived (办结)
	OFSDelete     OFSAction = "delete"      // deleteRequestInfo: the whole flow is gone
	OFSDeleteUser OFSAction = "delete_user" // deleteUserRequestInfo: one receiver's item is gone
)

// TodoState is the state an item ends in at the receiver.
type TodoState string

const (
	TodoPending  TodoState = "pending"  // isremark 0 (1 = forwarded, also pending)
	TodoDone     TodoState = "done"     // isremark 2
	TodoArchived TodoState = "archived" // isremark 4
	TodoCC       TodoState = "cc"       // isremark 8/9 (抄送), 11 (传阅)
	TodoDeleted  TodoState = "deleted"
)

// OFSOp is one receiver endpoint.
type OFSOp struct {
	Name     string    // canonical endpoint name, e.g. "batchReceiveRequestInfoByJson"
	Action   OFSAction //
	Form     bool      // …ByMap: form fields instead of JSON
	Batch    bool      // batch…: a JSON array
	OperType string    // the reply's operType
}

var ofsBaseOps = []struct {
	name     string
	action   OFSAction
	operType string
}{
	// guess: OA fills operType/dataType from internal constants
	// (OfsLog.OperType_*, DataType_*) whose string values are not public;
	// these mirror the constant names. Senders rely on operResult only.
	{"ReceiveRequestInfo", OFSUpsert, "AutoNew"},
	{"ReceiveTodoRequest", OFSTodo, "AutoNew"},
	{"ProcessDoneRequest", OFSDone, "AutoEdit"},
	{"ProcessOverRequest", OFSOver, "AutoEdit"},
	{"deleteRequestInfo", OFSDelete, "AutoDel"},
	{"deleteUserRequestInfo", OFSDeleteUser, "AutoDel"},
}

// ofsDataType is the reply's dataType (see the guess above).
const ofsDataType = "WfData"

// OFSOperations lists every endpoint name the receiver accepts, for routing.
func OFSOperations() []string {
	var out []string
	for _, b := range ofsBaseOps {
		for _, batch := range []bool{false, true} {
			for _, form := range []bool{false, true} {
				out = append(out, ofsOpName(b.name, batch, form))
			}
		}
	}
	return out
}

func ofsOpName(base string, batch, form bool) string {
	name := base
	if batch {
		name = "batch" + strings.ToUpper(base[:1]) + base[1:]
	}
	if form {
		return name + "ByMap"
	}
	return name + "ByJson"
}

// LookupOFSOp resolves an endpoint name ("ReceiveRequestInfoByJson", a
// path ending in it, any letter case).
func LookupOFSOp(name string) (OFSOp, error) {
	n := name
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	for _, b := range ofsBaseOps {
		for _, batch := range []bool{false, true} {
			for _, form := range []bool{false, true} {
				if strings.EqualFold(n, ofsOpName(b.name, batch, form)) {
					return OFSOp{Name: ofsOpName(b.name, batch, form), Action: b.action, Form: form, Batch: batch, OperType: b.operType}, nil
				}
			}
		}
	}
	if len(n) > 64 {
		n = n[:64]
	}
	return OFSOp{}, core.ErrOAOFSOperation.New("op", n)
}

// Todo is one OFS item, whatever variant carried it.
type Todo struct {
	Index  int       `json:"index"` // position in the request (0 for single items)
	Action OFSAction `json:"action"`
	State  TodoState `json:"state"`

	SysCode          string `json:"syscode"`
	FlowID           string `json:"flowid"` // = the OA request id
	RequestName      string `json:"requestname,omitempty"`
	WorkflowName     string `json:"workflowname,omitempty"`
	WorkflowCode     string `json:"workflowcode,omitempty"`
	NodeName         string `json:"nodename,omitempty"`
	ReceiverNodeName string `json:"receivernodename,omitempty"`
	PCURL            string `json:"pcurl,omitempty"`
	AppURL           string `json:"appurl,omitempty"`
	Creator          string `json:"creator,omitempty"`
	CreateDateTime   string `json:"createdatetime,omitempty"` // "yyyy-MM-dd HH:mm:ss", OA local time
	// Receiver is rendered by the OA's person conversion rule (OA id,
	// loginid, workcode, …); empty for OFSDelete.
	Receiver        string `json:"receiver,omitempty"`
	ReceiveDateTime string `json:"receivedatetime,omitempty"`
	IsRemark        string `json:"isremark,omitempty"`
	ViewType        string `json:"viewtype,omitempty"`
	Read            bool   `json:"read"`
	// ReceiveTS orders updates of one item (milliseconds); an update with an
	// older ReceiveTS than the stored one must be dropped. 0 = not sent.
	ReceiveTS int64 `json:"receivets,omitempty"`
	// Extra keeps fields this model does not name (lower-cased keys).
	Extra map[string]string `json:"extra,omitempty"`
}

// Key is the idempotency key of an item: (syscode, flowid, receiver).
func (t Todo) Key() string { return t.SysCode + "\x1f" + t.FlowID + "\x1f" + t.Receiver }

// Limits of one OFS request.
const (
	OFSMaxBody     = 4 << 20 // a 1000-item batch with long URLs is ~1.5 MB
	OFSMaxItems    = 1000
	ofsMaxField    = 4000 // characters; URLs may carry long AES parameters
	ofsMaxExtraKey = 64
	ofsMaxExtras   = 64
)

// OFSItemError is the problem of one item of a request.
type OFSItemError struct {
	Index int
	Err   *core.Error
}

// OFSErrors lists the rejected items of a batch (the cause of ErrOAOFSPartial).
type OFSErrors []OFSItemError

func (e OFSErrors) Error() string {
	var b strings.Builder
	for i, it := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "item %d: %s", it.Index, it.Err.Error())
		if i == 9 && len(e) > 10 {
			fmt.Fprintf(&b, "; … %d more", len(e)-10)
			break
		}
	}
	return b.String()
}

// ParseOFS reads one OFS request for the endpoint op (see LookupOFSOp).
// It returns the valid items. When some items of a batch are invalid it
// returns the valid ones together with an ErrOAOFSPartial error whose cause
// (errors.As) is OFSErrors; a request with no valid item returns only an
// error. The body is limited to OFSMaxBody.
func ParseOFS(r *http.Request, op string) ([]Todo, error) {
	o, err := LookupOFSOp(op)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, OFSMaxBody+1))
	if err != nil {
		return nil, core.ErrOAOFSBody.Wrap(err, "reason", "read")
	}
	if len(body) > OFSMaxBody {
		return nil, core.ErrBodyTooLarge.New("max", strconv.Itoa(OFSMaxBody))
	}
	return parseOFS(o, r.Header.Get("Content-Type"), body, r.URL.Query())
}

// ParseOFSBody is ParseOFS on bytes (query holds URL parameters, used by
// …ByMap senders that put fields in the query string).
func ParseOFSBody(op, contentType string, body []byte, query url.Values) ([]Todo, error) {
	o, err := LookupOFSOp(op)
	if err != nil {
		return nil, err
	}
	if len(body) > OFSMaxBody {
		return nil, core.ErrBodyTooLarge.New("max", strconv.Itoa(OFSMaxBody))
	}
	return parseOFS(o, contentType, body, query)
}

func parseOFS(o OFSOp, contentType string, body []byte, query url.Values) ([]Todo, error) {
	var items []map[string]string
	var err error
	if o.Form {
		items, err = ofsFormItems(contentType, body, query)
	} else {
		items, err = ofsJSONItems(contentType, body)
	}
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, core.ErrOAOFSBody.New("reason", "no items")
	}
	if len(items) > OFSMaxItems {
		return nil, core.ErrOAOFSTooMany.New("max", strconv.Itoa(OFSMaxItems))
	}
	var out []Todo
	var bad OFSErrors
	for i, m := range items {
		t, err := ofsItem(o, i, m)
		if err != nil {
			bad = append(bad, OFSItemError{Index: i, Err: err})
			continue
		}
		out = append(out, t)
	}
	switch {
	case len(bad) == 0:
		return out, nil
	case len(items) == 1:
		return nil, bad[0].Err
	}
	e := core.ErrOAOFSPartial.Wrap(bad, "bad", strconv.Itoa(len(bad)), "total", strconv.Itoa(len(items)),
		"index", strconv.Itoa(bad[0].Index))
	return out, e
}

// ofsJSONItems reads a JSON object or array of objects. Lenient on purpose
// (guess: custom push classes differ): an array is accepted on single
// endpoints and an object on batch ones; a form body whose single field
// holds the JSON is unwrapped.
func ofsJSONItems(contentType string, body []byte) ([]map[string]string, error) {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return nil, core.ErrOAOFSBody.New("reason", "empty body")
	}
	if b[0] != '{' && b[0] != '[' {
		if vals, err := url.ParseQuery(string(b)); err == nil {
			for _, key := range []string{"data", "json", "params", "param", "datas"} {
				if v := strings.TrimSpace(vals.Get(key)); v != "" && (v[0] == '{' || v[0] == '[') {
					return ofsJSONItems("", []byte(v))
				}
			}
			if len(vals) == 1 {
				for k, v := range vals {
					cand := strings.TrimSpace(k)
					if len(v) == 1 && v[0] != "" {
						cand = strings.TrimSpace(v[0])
					}
					if cand != "" && (cand[0] == '{' || cand[0] == '[') {
						return ofsJSONItems("", []byte(cand))
					}
				}
			}
		}
		return nil, core.ErrOAOFSBody.New("reason", "not JSON")
	}
	if !utf8.Valid(b) {
		var ok bool
		if b, ok = fromGBK(b); !ok {
			return nil, core.ErrOAOFSBody.New("reason", "neither UTF-8 nor GBK")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, core.ErrOAOFSBody.Wrap(err, "reason", "invalid JSON")
	}
	if dec.More() {
		return nil, core.ErrOAOFSBody.New("reason", "trailing data after JSON")
	}
	var objs []any
	switch v := v.(type) {
	case map[string]any:
		// guess: a wrapper object {"data":[…]} from custom senders.
		if inner, ok := v["data"].([]any); ok && len(v) <= 2 {
			objs = inner
		} else {
			objs = []any{v}
		}
	case []any:
		objs = v
	}
	if len(objs) > OFSMaxItems {
		return nil, core.ErrOAOFSTooMany.New("max", strconv.Itoa(OFSMaxItems))
	}
	out := make([]map[string]string, 0, len(objs))
	for i, o := range objs {
		m, ok := o.(map[string]any)
		if !ok {
			return nil, core.ErrOAOFSBody.New("reason", "item "+strconv.Itoa(i)+" is not an object")
		}
		flat := make(map[string]string, len(m))
		for k, val := range m {
			flat[strings.ToLower(strings.TrimSpace(k))] = jsonScalar(val)
		}
		out = append(out, flat)
	}
	return out, nil
}

func jsonScalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// ofsFormItems reads a …ByMap request: urlencoded or multipart fields,
// plus query parameters (body fields win).
func ofsFormItems(contentType string, body []byte, query url.Values) ([]map[string]string, error) {
	vals := url.Values{}
	for k, v := range query {
		vals[k] = v
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		form, err := mr.ReadForm(OFSMaxBody)
		if err != nil {
			return nil, core.ErrOAOFSBody.Wrap(err, "reason", "invalid multipart form")
		}
		defer form.RemoveAll()
		for k, v := range form.Value {
			vals[k] = v
		}
	case len(bytes.TrimSpace(body)) > 0:
		b := bytes.TrimSpace(body)
		if b[0] == '{' || b[0] == '[' {
			// guess: some senders post JSON to …ByMap endpoints.
			return ofsJSONItems(contentType, b)
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, core.ErrOAOFSBody.Wrap(err, "reason", "invalid form")
		}
		for k, v := range form {
			vals[k] = v
		}
	}
	if len(vals) == 0 {
		return nil, core.ErrOAOFSBody.New("reason", "empty body")
	}
	m := make(map[string]string, len(vals))
	for k, v := range vals {
		if len(v) > 0 {
			m[strings.ToLower(strings.TrimSpace(k))] = v[0]
		}
	}
	for k, v := range m {
		if !utf8.ValidString(v) {
			d, ok := fromGBK([]byte(v))
			if !ok {
				return nil, core.ErrOAOFSBody.New("reason", "neither UTF-8 nor GBK")
			}
			m[k] = string(d)
		}
		if !utf8.ValidString(k) {
			return nil, core.ErrOAOFSBody.New("reason", "neither UTF-8 nor GBK")
		}
	}
	return []map[string]string{m}, nil
}

// fromGBK decodes b as GBK (GB18030). guess: an OA on a Chinese Windows
// server may send its platform encoding instead of UTF-8.
func fromGBK(b []byte) ([]byte, bool) {
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return nil, false
	}
	return out, true
}

// ofsRequired lists, per action, what the bridge needs. Lenient compared
// with the documented lists: the OA itself only insists on syscode, flowid,
// requestname and workflowname (reference §4.2, S4).
var ofsRequired = map[OFSAction][]string{
	OFSUpsert:     {"syscode", "flowid", "requestname", "workflowname", "receiver", "isremark"},
	OFSTodo:       {"syscode", "flowid", "requestname", "workflowname", "receiver"},
	OFSDone:       {"syscode", "flowid", "receiver"},
	OFSOver:       {"syscode", "flowid", "receiver"},
	OFSDelete:     {"syscode", "flowid"},
	OFSDeleteUser: {"syscode", "flowid", "userid"},
}

var ofsKnown = map[string]bool{
	"syscode": true, "flowid": true, "requestname": true, "workflowname": true, "workflowcode": true,
	"nodename": true, "receivernodename": true, "pcurl": true, "appurl": true, "creator": true,
	"createdatetime": true, "receiver": true, "receivedatetime": true, "isremark": true, "viewtype": true,
	"receivets": true, "userid": true,
}

func ofsItem(o OFSOp, index int, m map[string]string) (Todo, *core.Error) {
	item := strconv.Itoa(index)
	// deleteUserRequestInfo names the receiver "userid"; accept "receiver"
	// as well, and the reverse on the other operations.
	if m["userid"] == "" && o.Action == OFSDeleteUser {
		m["userid"] = m["receiver"]
	}
	if m["receiver"] == "" && o.Action != OFSDelete && o.Action != OFSDeleteUser {
		m["receiver"] = m["userid"]
	}
	for k, v := range m {
		trimmed := strings.TrimSpace(v)
		m[k] = trimmed
		if utf8.RuneCountInString(trimmed) > ofsMaxField {
			return Todo{}, core.ErrOAOFSBadValue.New("item", item, "field", k, "value", "(too long)")
		}
	}
	var missing []string
	for _, f := range ofsRequired[o.Action] {
		if m[f] == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return Todo{}, core.ErrOAOFSMissing.New("item", item, "fields", strings.Join(missing, ", "))
	}
	t := Todo{Index: index, Action: o.Action, SysCode: m["syscode"], FlowID: m["flowid"],
		RequestName: m["requestname"], WorkflowName: m["workflowname"], WorkflowCode: m["workflowcode"],
		NodeName: m["nodename"], ReceiverNodeName: m["receivernodename"], PCURL: m["pcurl"], AppURL: m["appurl"],
		Creator: m["creator"], CreateDateTime: m["createdatetime"], Receiver: m["receiver"],
		ReceiveDateTime: m["receivedatetime"], IsRemark: m["isremark"], ViewType: m["viewtype"]}
	if o.Action == OFSDeleteUser {
		t.Receiver = m["userid"]
	}
	if o.Action == OFSDelete {
		t.Receiver = ""
	}
	bad := func(field string) (Todo, *core.Error) {
		v := m[field]
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return Todo{}, core.ErrOAOFSBadValue.New("item", item, "field", field, "value", v)
	}
	switch o.Action {
	case OFSUpsert, OFSTodo:
		remark := t.IsRemark
		if o.Action == OFSTodo && remark == "" {
			remark = "0"
		}
		switch remark {
		case "0", "1":
			t.State = TodoPending
		case "2":
			t.State = TodoDone
		case "4":
			t.State = TodoArchived
		case "8", "9", "11":
			t.State = TodoCC
		case "-1":
			// E10's unified to-do marks a deletion this way (reference §3.3).
			t.State = TodoDeleted
		default:
			return bad("isremark")
		}
		t.IsRemark = remark
	case OFSDone:
		t.State = TodoDone
	case OFSOver:
		t.State = TodoArchived
	case OFSDelete, OFSDeleteUser:
		t.State = TodoDeleted
	}
	switch t.ViewType {
	case "", "0", "-1":
		// Empty is stored as unread by OA (S4); -1 = viewed but with new
		// feedback, which wants attention again.
		t.Read = false
	case "1", "-2":
		t.Read = true // -2 is OA's internal "viewed"; the push class maps it to 1
	default:
		return bad("viewtype")
	}
	if t.State == TodoDone || t.State == TodoArchived {
		t.Read = true
	}
	for _, f := range []string{"createdatetime", "receivedatetime"} {
		if v := m[f]; v != "" {
			if _, ok := parseOATime(v, oaLocation); !ok {
				return bad(f)
			}
		}
	}
	if v := m["receivets"]; v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			// guess: some senders put a date-time here instead of millis.
			tm, ok := parseOATime(v, oaLocation)
			if !ok {
				return bad("receivets")
			}
			n = tm.UnixMilli()
		}
		if n < 0 {
			return bad("receivets")
		}
		t.ReceiveTS = n
	}
	var extraKeys []string
	for k := range m {
		if !ofsKnown[k] && k != "" {
			extraKeys = append(extraKeys, k)
		}
	}
	sort.Strings(extraKeys)
	for _, k := range extraKeys {
		if len(t.Extra) >= ofsMaxExtras || len(k) > ofsMaxExtraKey {
			continue
		}
		if t.Extra == nil {
			t.Extra = map[string]string{}
		}
		t.Extra[k] = m[k]
	}
	return t, nil
}

// OFSReply is the receiver's answer; senders check operResult only.
type OFSReply struct {
	SysCode    string `json:"syscode"`
	DataType   string `json:"dataType"`
	OperType   string `json:"operType"`
	OperResult string `json:"operResult"` // "1" ok, "0" failed
	Message    string `json:"message"`
}

// NewOFSReply builds the answer to a request for op: err is the parse error
// or the failure to store the items (nil = all accepted). The message is
// in lang (core.NormalizeLang).
func NewOFSReply(op string, todos []Todo, err error, lang string) OFSReply {
	o, lerr := LookupOFSOp(op)
	r := OFSReply{DataType: ofsDataType, OperType: o.OperType, OperResult: "1"}
	if lerr != nil {
		r.OperType = ""
	}
	if len(todos) > 0 {
		r.SysCode = todos[0].SysCode
	}
	if err == nil {
		r.Message = core.Translate(lang, core.ErrOAOFSAccepted.Code, map[string]string{"count": strconv.Itoa(len(todos))})
		return r
	}
	r.OperResult = "0"
	ce := core.AsError(err)
	r.Message = core.Translate(lang, ce.Code, ce.Params)
	var items OFSErrors
	if errors.As(err, &items) && len(items) > 0 {
		r.Message += ": " + core.Translate(lang, items[0].Err.Code, items[0].Err.Params)
	}
	return r
}

// WriteOFSReply writes r as JSON with HTTP 200, as OA receivers do (a
// failure is operResult "0", never an HTTP error).
func WriteOFSReply(w http.ResponseWriter, r OFSReply) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(r)
}
