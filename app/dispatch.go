package app

import (
	"bytes"
	"encoding/json"
	"path"
	"reflect"
	"strings"

	"cloudbridge/backend/core"
)

// Dispatcher calls bound service methods by name for the headless HTTP
// transport, the same methods Wails binds for the desktop window: one
// implementation, two transports. A service is addressed by its Go package
// name ("tenant"), as Wails does (window.go.tenant.Service).
type Dispatcher struct {
	services map[string]reflect.Value
}

var errorType = reflect.TypeOf((*error)(nil)).Elem()

func NewDispatcher(services ...any) *Dispatcher {
	d := &Dispatcher{services: map[string]reflect.Value{}}
	for _, s := range services {
		v := reflect.ValueOf(s)
		d.services[path.Base(v.Elem().Type().PkgPath())] = v
	}
	return d
}

// Call decodes args (a JSON array) into the method's parameters, calls it and
// returns its result. Every failure is a catalogue error.
func (d *Dispatcher) Call(pkg, method string, args []byte) (any, error) {
	svc, ok := d.services[pkg]
	name := pkg + "." + method
	if !ok || method == "" || !isExported(method) {
		return nil, core.ErrUnknownMethod.New("method", name)
	}
	m := svc.MethodByName(method)
	if !m.IsValid() {
		return nil, core.ErrUnknownMethod.New("method", name)
	}
	var raw []json.RawMessage
	if len(bytes.TrimSpace(args)) == 0 {
		raw = nil
	} else if err := json.Unmarshal(args, &raw); err != nil {
		return nil, core.ErrBadJSON.Wrap(err)
	}
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

func isExported(s string) bool { return strings.ToUpper(s[:1]) == s[:1] }
