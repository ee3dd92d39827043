package app

// wireRelay wires push relay (issue 7): its bound service, public routes and schedules.
// Nothing to wire until that area lands.
func (a *App) wireRelay() error { return nil }
