package app

// wireSSO wires SSO and QR login (issue 8): its bound service, public routes and schedules.
// Nothing to wire until that area lands.
func (a *App) wireSSO() error { return nil }
