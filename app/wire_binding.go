package app

// wireBinding wires user binding (issue 6): its bound service, public routes and schedules.
// Nothing to wire until that area lands.
func (a *App) wireBinding() error { return nil }
