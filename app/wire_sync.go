package app

// wireSync wires org sync (issue 5): its bound service, public routes and schedules.
// Nothing to wire until that area lands.
func (a *App) wireSync() error { return nil }
