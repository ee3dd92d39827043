package app

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"cloudbridge/backend/store"
)

var jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

// Every exported method of a bound service is the UI's API in both
// transports, so its parameters and result must travel as JSON and it must
// return at most (T, error): a helper taking a *store.Tx or a func has no
// business being callable from the window.
func TestBoundMethodsAreJSONAPIs(t *testing.T) {
	a, _ := newHeadlessTest(t)
	errType := reflect.TypeOf((*error)(nil)).Elem()
	for _, svc := range a.Services() {
		v := reflect.ValueOf(svc)
		name := v.Elem().Type().String()
		if v.NumMethod() == 0 {
			t.Errorf("%s binds no methods", name)
		}
		for i := 0; i < v.NumMethod(); i++ {
			m := v.Type().Method(i)
			mt := v.Method(i).Type()
			for j := 0; j < mt.NumIn(); j++ {
				if bad := nonJSON(mt.In(j), map[reflect.Type]bool{}); bad != "" {
					t.Errorf("%s.%s parameter %d: %s", name, m.Name, j, bad)
				}
			}
			switch mt.NumOut() {
			case 0:
			case 1, 2:
				if mt.Out(mt.NumOut()-1) != errType {
					t.Errorf("%s.%s: the last result must be error", name, m.Name)
				}
				if mt.NumOut() == 2 {
					if bad := nonJSON(mt.Out(0), map[reflect.Type]bool{}); bad != "" {
						t.Errorf("%s.%s result: %s", name, m.Name, bad)
					}
				}
			default:
				t.Errorf("%s.%s returns %d values", name, m.Name, mt.NumOut())
			}
		}
	}
}

// nonJSON names what in t cannot be encoded as JSON ("" when all is fine).
func nonJSON(t reflect.Type, seen map[reflect.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return t.String()
	case reflect.Interface:
		if t.NumMethod() > 0 && t.String() != "error" {
			return t.String()
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return nonJSON(t.Elem(), seen)
	case reflect.Map:
		if k := t.Key().Kind(); k != reflect.String && (k < reflect.Int || k > reflect.Uint64) {
			return t.String()
		}
		return nonJSON(t.Elem(), seen)
	case reflect.Struct:
		if reflect.PointerTo(t).Implements(jsonMarshaler) || t.Implements(jsonMarshaler) {
			return ""
		}
		exported := 0
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				exported++
			}
		}
		if exported == 0 && t.NumField() > 0 {
			return t.String() + " (no exported fields: an internal handle, not data)"
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			if bad := nonJSON(f.Type, seen); bad != "" {
				return t.String() + "." + f.Name + ": " + bad
			}
		}
	}
	return ""
}

func TestNonJSONSpotsInternalHandles(t *testing.T) {
	for _, v := range []any{&store.Tx{}, func() {}, make(chan int)} {
		if nonJSON(reflect.TypeOf(v), map[reflect.Type]bool{}) == "" {
			t.Errorf("%T passed as JSON data", v)
		}
	}
	if bad := nonJSON(reflect.TypeOf(struct{ At time.Time }{}), map[reflect.Type]bool{}); bad != "" {
		t.Errorf("time.Time refused: %s", bad)
	}
}
