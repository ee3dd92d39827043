package app

import (
	"encoding/json"
	"strings"
)

// Which bound methods change something (and are recorded in the audit log),
// what their positional parameters are called (so a secret passed as a
// plain string is masked by name, and ids become the entry's targets), and
// how to read the configuration object before and after a change.
//
// TestAuditClassification enumerates every bound method: a new method that
// fits no rule, or a recorded one without parameter names, fails the build's
// tests instead of silently escaping the log.

type callClass int

const (
	classUnknown callClass = iota
	classRead              // not recorded
	classWrite             // recorded: changes state, or hands data out (exports)
)

// Verbs that only read. A method starting with one of these is a read
// unless auditExceptions says otherwise.
var readPrefixes = []string{
	"Get", "List", "Load", "Status", "Preview", "Search", "Check", "Overview",
	"Health", "Stats", "Fields", "Modules", "Active", "Directory", "Logs",
	"Listener", "Intake", "Job", "Next", "Plan",
}

// Verbs that change something. Export is here on purpose: data leaving the
// machine (every user's binding, the audit log itself) is worth a line.
var writePrefixes = []string{
	"Save", "Create", "Delete", "Rename", "Apply", "Bind", "Unbind", "Restore",
	"Start", "Stop", "Cancel", "Resend", "Set", "Upload", "Refresh", "Backup",
	"Import", "Export", "Remove", "Add", "Update", "Rotate", "Change", "Install",
	"Uninstall", "Enable", "Disable", "Reset", "Purge", "Clear", "Send", "Run",
	"Test", "Verify", "Probe", "Prepare", "Confirm", "Dismiss",
}

// auditExceptions classify by full name what the verbs get wrong or do not
// cover. Each says why.
var auditExceptions = map[string]callClass{
	// Connection tests remember their last outcome for the list views, but
	// change no configuration: reads, or every "测试" click would fill the log.
	"tenant.VerifyApp":      classRead,
	"tenant.ProbeApp":       classRead,
	"oaconfig.TestOA":       classRead,
	"system.RunDiagnostics": classRead,
	"tenant.CorpUsage":      classRead, // counts before a corp delete
	"syncer.OADepartments":  classRead,
	"oaconfig.OrgTemplate":  classRead, // an empty template file
	"binding.ImportReport":  classRead, // the report of an import already recorded
	"relay.DefaultRuleFor":  classRead, // an offer; CreateDefaultRule acts on it
	"sso.QRSettings":        classRead,
	// The tray menu follows the UI language: no configuration changes.
	"platform.SetLanguage": classRead,
}

// classify tells whether pkg.Method is recorded.
func classify(name string) callClass {
	if c, ok := auditExceptions[name]; ok {
		return c
	}
	method := name[strings.LastIndexByte(name, '.')+1:]
	read, write := hasVerb(method, readPrefixes), hasVerb(method, writePrefixes)
	switch {
	case read && !write:
		return classRead
	case write && !read:
		return classWrite
	}
	return classUnknown
}

// hasVerb: the method starts with the verb followed by an upper-case
// letter or nothing ("Set" matches SetRuleEnabled, not Settings).
func hasVerb(method string, verbs []string) bool {
	for _, v := range verbs {
		if strings.HasPrefix(method, v) && (len(method) == len(v) || isUpper(method[len(v)])) {
			return true
		}
	}
	return false
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }

// auditParams names the parameters of every recorded method (Go keeps no
// parameter names at run time). A struct parameter is usually "in". A method
// without parameters needs no entry.
var auditParams = map[string][]string{
	"audit.ExportEntries": {"query", "lang"},

	"tenant.CreateCorp": {"name"},
	"tenant.RenameCorp": {"id", "name"},
	"tenant.DeleteCorp": {"id", "confirmToken"},
	"tenant.SaveApp":    {"in"},
	"tenant.DeleteApp":  {"id"},

	"system.SaveSettings": {"in"},

	"oaconfig.SaveOA":          {"in"},
	"oaconfig.UploadOrgFiles":  {"files"},
	"oaconfig.RefreshSnapshot": {},

	"binding.SaveSettings":    {"in"},
	"binding.BindUser":        {"corpId", "welinkUserId", "oaUserId"},
	"binding.UnbindUser":      {"corpId", "welinkUserId"},
	"binding.UnbindAll":       {"corpId", "confirm"},
	"binding.ApplyAutoBind":   {"previewToken"},
	"binding.ApplyImport":     {"previewToken"},
	"binding.RestoreSnapshot": {"snapshotId"},
	"binding.RefreshOAUsers":  {},
	"binding.CancelJob":       {},
	"binding.ExportUsers":     {"corpId"},

	"syncer.SaveSettings":    {"in"},
	"syncer.StartFromOA":     {"corpId", "preview", "ignoreThreshold"},
	"syncer.StartFromWeLink": {"corpId"},
	"syncer.Apply":           {"runId", "approveDeletes"},
	"syncer.Cancel":          {"corpId", "direction"},
	"syncer.ExportRun":       {"runId"},
	// 本地通讯录 edits.
	"syncer.CreateDept": {"in"},
	"syncer.UpdateDept": {"in"},
	"syncer.DeleteDept": {"corpId", "code"},
	"syncer.CreateUser": {"in"},
	"syncer.UpdateUser": {"in"},
	"syncer.DeleteUser": {"corpId", "userId"},

	"relay.SaveConfig":        {"in"},
	"relay.SaveOASystem":      {"in"},
	"relay.DeleteOASystem":    {"id"},
	"relay.SaveRule":          {"in"},
	"relay.DeleteRule":        {"id"},
	"relay.SetRuleEnabled":    {"id", "enabled"},
	"relay.CreateDefaultRule": {"appId"},
	"relay.Resend":            {"ids"},
	"relay.ResendFiltered":    {"query"},

	"sso.SaveQRSettings": {"in"},

	"backup.BackupNow":            {},
	"backup.DeleteBackup":         {"name"},
	"backup.SaveBackupSettings":   {"in"},
	"backup.PrepareRestore":       {"name"},
	"backup.PrepareRestoreUpload": {"file"},
	"backup.ConfirmRestore":       {"restoreToken"},

	"platform.SetAutostart": {"enabled"},

	"configio.ExportConfig": {"passphrase"},
	"configio.ApplyImport":  {"file", "passphrase"},
}

// Argument names and struct fields that name the object a call acts on.
var targetFields = []string{"id", "corpId", "appId", "runId", "snapshotId", "welinkUserId", "oaUserId", "direction", "ids", "name", "sysCode"}

// targets lists "field=value" for the ids in the named arguments (and, for
// a create, the id of the result).
func targets(args map[string]any, result any) []string {
	var out []string
	seen := map[string]bool{}
	add := func(k string, v any) {
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []any:
			parts := make([]string, 0, len(x))
			for i, e := range x {
				if i == 5 {
					parts = append(parts, "…")
					break
				}
				if es, ok := e.(string); ok {
					parts = append(parts, es)
				}
			}
			s = strings.Join(parts, ",")
		}
		if s == "" || len(s) > 128 || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, k+"="+s)
	}
	for _, k := range targetFields {
		if v, ok := args[k]; ok {
			add(k, v)
		}
	}
	for _, v := range args {
		if obj, ok := v.(map[string]any); ok {
			for _, k := range targetFields {
				add(k, obj[k])
			}
		}
	}
	if !seen["id"] && result != nil {
		if raw, err := json.Marshal(result); err == nil {
			var obj map[string]any
			if json.Unmarshal(raw, &obj) == nil {
				add("id", obj["id"])
			}
		}
	}
	return out
}
