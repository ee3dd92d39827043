package core

import "net/http"

// Backup and restore errors (backend/backup). Messages under errors.backup.*
// in locales/.
var (
	ErrBackupNotABackup   = Kind{"backup.not_a_backup", http.StatusBadRequest}          // {file}
	ErrBackupForeignKey   = Kind{"backup.foreign_key", http.StatusBadRequest}           // {file}
	ErrBackupCorrupt      = Kind{"backup.corrupt", http.StatusBadRequest}               // {file}
	ErrBackupSchemaNewer  = Kind{"backup.schema_newer", http.StatusConflict}            // {have} {want}
	ErrBackupStoreRunning = Kind{"backup.store_running", http.StatusConflict}           // {dir}
	ErrBackupRestoreInUse = Kind{"backup.restore_in_use", http.StatusConflict}          // {dir}
	ErrBackupBusy         = Kind{"backup.busy", http.StatusConflict}                    //
	ErrBackupNotFound     = Kind{"backup.not_found", http.StatusNotFound}               // {name}
	ErrBackupInvalidTime  = Kind{"backup.invalid_time", http.StatusBadRequest}          // {value}
	ErrBackupInvalidKeep  = Kind{"backup.invalid_keep", http.StatusBadRequest}          // {min} {max}
	ErrBackupWriteFailed  = Kind{"backup.write_failed", http.StatusInternalServerError} // {dir}
)
