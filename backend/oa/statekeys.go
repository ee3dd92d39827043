package oa

// StateKeys are the Deps.State keys a connector built from cfg uses. The
// store seals each value bound to its key, so a master key rotation needs
// the keys to re-seal the values.
func StateKeys(cfg Config) []string {
	if cfg.Auth.Mode != AuthECDev || cfg.Auth.AppID == "" {
		return nil
	}
	base, err := normalizeBaseURL("baseUrl", cfg.BaseURL)
	if err != nil {
		return nil
	}
	return []string{ecdevStateKey(base, cfg.Auth.AppID)}
}

func ecdevStateKey(base, appID string) string { return "oa.ecdev|" + base + "|" + appID }
