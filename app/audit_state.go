package app

import (
	"encoding/json"

	"cloudbridge/backend/audit"
)

// How to read the configuration object a recorded method changes, before
// and after the call, through the owning service's own getter (so the log
// shows what the screen shows, secrets already reduced to "set / not set",
// and redacted again on top). A nil side records nothing on that side: a
// create has no "before", a delete no "after".
//
// Two admins saving the same object at the same instant may see each
// other's change inside their before/after; the entries' times tell.
type stateSpec struct {
	before, after func(d *Dispatcher, args map[string]json.RawMessage, result any) json.RawMessage
}

// snapshot is a getter call redacted, or nil when it fails (an object that
// does not exist yet has no "before").
func snapshot(v any, err error) json.RawMessage {
	if err != nil {
		return nil
	}
	return audit.Redact(v)
}

// get reads name(args...) where each arg is taken from the call's named
// arguments: "corpId" (a string argument) or "in.corpId" (a field of one).
func get(name string, from ...string) func(*Dispatcher, map[string]json.RawMessage, any) json.RawMessage {
	return func(d *Dispatcher, args map[string]json.RawMessage, _ any) json.RawMessage {
		vals := make([]any, len(from))
		for i, f := range from {
			s := argString(args, f)
			if s == "" {
				return nil // e.g. a create: no id yet
			}
			vals[i] = s
		}
		return snapshot(d.read(name, vals...))
	}
}

// getByResult reads name(result.id): the object as stored after a create.
func getByResult(name string) func(*Dispatcher, map[string]json.RawMessage, any) json.RawMessage {
	return func(d *Dispatcher, _ map[string]json.RawMessage, res any) json.RawMessage {
		id := field(res, "id")
		if id == "" {
			return nil
		}
		return snapshot(d.read(name, id))
	}
}

// inList finds the element with the given id in a list getter's result.
func inList(list, idFrom string) func(*Dispatcher, map[string]json.RawMessage, any) json.RawMessage {
	return func(d *Dispatcher, args map[string]json.RawMessage, res any) json.RawMessage {
		id := ""
		if idFrom == "result.id" {
			id = field(res, "id")
		} else {
			id = argString(args, idFrom)
		}
		if id == "" {
			return nil
		}
		v, err := d.read(list)
		if err != nil {
			return nil
		}
		raw, _ := json.Marshal(v)
		var items []map[string]any
		json.Unmarshal(raw, &items)
		for _, it := range items {
			if s, _ := it["id"].(string); s == id {
				return audit.Redact(it)
			}
		}
		return nil
	}
}

// result records the method's own result (when it returns the object).
func result(_ *Dispatcher, _ map[string]json.RawMessage, res any) json.RawMessage {
	if res == nil {
		return nil
	}
	return audit.Redact(res)
}

func argString(args map[string]json.RawMessage, path string) string {
	name, sub, nested := cutDot(path)
	raw, ok := args[name]
	if !ok {
		return ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	if nested {
		return field(v, sub)
	}
	s, _ := v.(string)
	return s
}

func cutDot(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// field reads a string field of any JSON-encodable value.
func field(v any, name string) string {
	m, ok := v.(map[string]any)
	if !ok {
		raw, err := json.Marshal(v)
		if err != nil || json.Unmarshal(raw, &m) != nil {
			return ""
		}
	}
	s, _ := m[name].(string)
	return s
}

// auditStates: every method that saves a configuration object, and the
// deletes and toggles whose object is worth keeping.
var auditStates = map[string]stateSpec{
	"system.SaveSettings":       {before: get("system.GetSettings"), after: get("system.GetSettings")},
	"oaconfig.SaveOA":           {before: get("oaconfig.GetOA"), after: get("oaconfig.GetOA")},
	"oaconfig.UploadOrgFiles":   {before: get("oaconfig.GetOA"), after: get("oaconfig.GetOA")},
	"sso.SaveQRSettings":        {before: get("sso.QRSettings"), after: get("sso.QRSettings")},
	"backup.SaveBackupSettings": {before: get("backup.GetBackupSettings"), after: get("backup.GetBackupSettings")},
	"relay.SaveConfig":          {before: get("relay.GetConfig"), after: get("relay.GetConfig")},

	"tenant.CreateCorp": {after: result},
	"tenant.RenameCorp": {before: inList("tenant.ListCorps", "id"), after: result},
	"tenant.DeleteCorp": {before: inList("tenant.ListCorps", "id")},
	"tenant.SaveApp":    {before: get("tenant.GetApp", "in.id"), after: getByResult("tenant.GetApp")},
	"tenant.DeleteApp":  {before: get("tenant.GetApp", "id")},

	"binding.SaveSettings": {before: get("binding.GetSettings", "in.corpId"), after: get("binding.GetSettings", "in.corpId")},
	"binding.BindUser":     {before: get("binding.GetCard", "corpId", "welinkUserId"), after: get("binding.GetCard", "corpId", "welinkUserId")},
	"binding.UnbindUser":   {before: get("binding.GetCard", "corpId", "welinkUserId"), after: get("binding.GetCard", "corpId", "welinkUserId")},

	"syncer.SaveSettings": {before: get("syncer.GetSettings", "in.corpId"), after: get("syncer.GetSettings", "in.corpId")},
	"syncer.CreateDept":   {after: result},
	"syncer.UpdateDept":   {before: get("syncer.GetDept", "in.corpId", "in.code"), after: result},
	"syncer.DeleteDept":   {before: get("syncer.GetDept", "corpId", "code")},
	"syncer.CreateUser":   {after: result},
	"syncer.UpdateUser":   {before: get("syncer.GetPerson", "in.corpId", "in.userId"), after: result},
	"syncer.DeleteUser":   {before: get("syncer.GetPerson", "corpId", "userId")},

	"relay.SaveOASystem":      {before: inList("relay.ListOASystems", "in.id"), after: inList("relay.ListOASystems", "result.id")},
	"relay.DeleteOASystem":    {before: inList("relay.ListOASystems", "id")},
	"relay.SaveRule":          {before: inList("relay.ListRules", "in.id"), after: inList("relay.ListRules", "result.id")},
	"relay.SetRuleEnabled":    {before: inList("relay.ListRules", "id"), after: inList("relay.ListRules", "id")},
	"relay.DeleteRule":        {before: inList("relay.ListRules", "id")},
	"relay.CreateDefaultRule": {after: inList("relay.ListRules", "result.id")},
}
