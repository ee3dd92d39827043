package core

import "net/http"

// Restore from the UI, master key rotation and configuration export/import
// (issue 9, items 2 and 3). Messages under errors.backup.*, errors.key.* and
// errors.config.* in locales/.
var (
	ErrBackupRestoreNotPrepared = Kind{"backup.restore_not_prepared", http.StatusConflict}          //
	ErrBackupMaintenancePending = Kind{"backup.maintenance_pending", http.StatusConflict}           //
	ErrBackupUploadTooLarge     = Kind{"backup.upload_too_large", http.StatusRequestEntityTooLarge} // {max}

	ErrKeyRotateUnknownSecret = Kind{"key.rotate_unknown_secret", http.StatusInternalServerError} // {where}
	ErrKeyRotateKeyring       = Kind{"key.rotate_keyring", http.StatusInternalServerError}        //
	ErrKeyRotateRunning       = Kind{"key.rotate_running", http.StatusConflict}                   // {dir}

	ErrConfigNotAnExport        = Kind{"config.not_an_export", http.StatusBadRequest}        //
	ErrConfigVersion            = Kind{"config.version", http.StatusBadRequest}              // {have} {want}
	ErrConfigMalformed          = Kind{"config.malformed", http.StatusBadRequest}            // {reason}
	ErrConfigTooLarge           = Kind{"config.too_large", http.StatusRequestEntityTooLarge} // {max}
	ErrConfigWrongPassphrase    = Kind{"config.wrong_passphrase", http.StatusBadRequest}     //
	ErrConfigTampered           = Kind{"config.tampered", http.StatusBadRequest}             //
	ErrConfigPassphraseRequired = Kind{"config.passphrase_required", http.StatusBadRequest}  //
	ErrConfigPassphraseShort    = Kind{"config.passphrase_short", http.StatusBadRequest}     // {min}
	ErrConfigInvalid            = Kind{"config.invalid", http.StatusBadRequest}              // {section} {detail}
)
