package app

import (
	"bytes"
	"encoding/json"
	"path"
	"reflect"
	"strings"
	"time"

	"cloudbridge/backend/audit"
	"cloudbridge/backend/core"
)

// Dispatcher calls bound service methods by name, for both transports: the
// headless HTTP API and the desktop window's one Wails binding (Bridge).
// One implementation, one path: so every call that changes something is
// recorded in the audit log, whoever made it. A service is addressed by
// its Go package name ("tenant").
type Dispatcher struct {
	services map[string]reflect.Value
	audit    *audit.Log // nil: nothing recorded (tests of the transport alone)
	clock    core.Clock
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

func NewDispatcher(log *audit.Log, clock core.Clock, services ...any) *Dispatcher {
	if clock == nil {
		clock = core.SystemClock{}
	}
	d := &Dispatcher{services: map[string]reflect.Value{}, audit: log, clock: clock}
	for _, s := range services {
		v := reflect.ValueOf(s)
		d.services[path.Base(v.Elem().Type().PkgPath())] = v
	}
	return d
}

// CallJSON is Call with the arguments as one JSON array (the HTTP body).
func (d *Dispatcher) CallJSON(actor audit.Actor, pkg, method string, body []byte) (any, error) {
	var raw []json.RawMessage
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &raw); err != nil {
			err = core.ErrBadJSON.Wrap(err)
			d.refused(actor, pkg+"."+method, err)
			return nil, err
		}
	}
	return d.Call(actor, pkg, method, raw)
}

// Call decodes each argument into the method's parameter, calls it and
// returns its result; every failure is a catalogue error. A call that
// changes something (see classify) is recorded after it returned, failed
// and refused ones included; a configuration save also records the object
// before and after.
func (d *Dispatcher) Call(actor audit.Actor, pkg, method string, raw []json.RawMessage) (any, error) {
	name := pkg + "." + method
	m, err := d.method(pkg, method)
	if err != nil {
		// Probing for methods that do not exist is worth a line too.
		d.refused(actor, name, err)
		return nil, err
	}
	if d.audit == nil || classify(name) == classRead {
		return d.invoke(name, m, raw)
	}
	start := d.clock.Now()
	named := namedArgs(auditParams[name], raw)
	st := auditStates[name]
	var before, after json.RawMessage
	if st.before != nil {
		before = st.before(d, named, nil)
	}
	res, err := d.invoke(name, m, raw)
	if err == nil && st.after != nil {
		after = st.after(d, named, res)
	}
	e := audit.Entry{
		At: start, Actor: actor, Action: name,
		Targets:    targets(decodeArgs(named), res),
		Args:       audit.RedactNamed(auditParams[name], raw),
		Outcome:    audit.OutcomeOK,
		Before:     before,
		After:      after,
		DurationMs: d.clock.Now().Sub(start).Milliseconds(),
	}
	if err != nil {
		ce := core.AsError(err)
		e.Outcome, e.ErrorParams = ce.Code, ce.Params
		// A failed change changed nothing: the "before" is noise.
		e.Before = nil
	}
	d.audit.Record(e)
	return res, err
}

// refused records a call that never reached a method.
func (d *Dispatcher) refused(actor audit.Actor, name string, err error) {
	if d.audit == nil || classify(name) == classRead {
		return
	}
	ce := core.AsError(err)
	d.audit.Record(audit.Entry{At: d.clock.Now(), Actor: actor, Action: name, Outcome: ce.Code, ErrorParams: ce.Params})
}

func (d *Dispatcher) method(pkg, method string) (reflect.Value, error) {
	svc, ok := d.services[pkg]
	if !ok || method == "" || !isExported(method) {
		return reflect.Value{}, core.ErrUnknownMethod.New("method", pkg+"."+method)
	}
	m := svc.MethodByName(method)
	if !m.IsValid() {
		return reflect.Value{}, core.ErrUnknownMethod.New("method", pkg+"."+method)
	}
	return m, nil
}

// invoke is the call itself, unrecorded.
func (d *Dispatcher) invoke(name string, m reflect.Value, raw []json.RawMessage) (any, error) {
	t := m.Type()
	if len(raw) != t.NumIn() {
		return nil, core.ErrBadArguments.New("method", name)
	}
	in := make([]reflect.Value, t.NumIn())
	for i := range in {
		p := reflect.New(t.In(i))
		if err := json.Unmarshal(raw[i], p.Interface()); err != nil {
			return nil, core.ErrBadArguments.Wrap(err, "method", name)
		}
		in[i] = p.Elem()
	}
	out := m.Call(in)
	if n := len(out); n > 0 && t.Out(n-1) == errorType {
		if err, _ := out[n-1].Interface().(error); err != nil {
			return nil, err
		}
		out = out[:n-1]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out[0].Interface(), nil
}

// read calls a getter for a before/after snapshot.
func (d *Dispatcher) read(name string, args ...any) (any, error) {
	pkg, method, _ := strings.Cut(name, ".")
	m, err := d.method(pkg, method)
	if err != nil {
		return nil, err
	}
	raw := make([]json.RawMessage, len(args))
	for i, a := range args {
		raw[i], _ = json.Marshal(a)
	}
	return d.invoke(name, m, raw)
}

func isExported(s string) bool { return strings.ToUpper(s[:1]) == s[:1] }

// namedArgs pairs the raw arguments with their names ("arg<i>" when the
// table has none).
func namedArgs(names []string, raw []json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(raw))
	for i, r := range raw {
		n := "arg" + string(rune('0'+i%10))
		if i < len(names) {
			n = names[i]
		}
		out[n] = r
	}
	return out
}

func decodeArgs(named map[string]json.RawMessage) map[string]any {
	out := make(map[string]any, len(named))
	for k, r := range named {
		if len(r) > 64<<10 {
			continue // an uploaded file names no target
		}
		var v any
		if json.Unmarshal(r, &v) == nil {
			out[k] = v
		}
	}
	return out
}

// now is for the transports' own entries (login, logout).
func (d *Dispatcher) now() time.Time { return d.clock.Now() }
