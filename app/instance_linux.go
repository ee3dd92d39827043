package app

import (
	"context"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// sendSecondInstance calls the running window's
// org.wails_app_<id>.SingleInstance.SendMessage (what wails.Run itself does
// when it finds the name taken).
func sendSecondInstance(uniqueID, msg string) bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	id := "wails_app_" + strings.NewReplacer("-", "_", ".", "_").Replace(uniqueID)
	name := "org." + id + ".SingleInstance"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	call := conn.Object(name, dbus.ObjectPath("/org/"+id+"/SingleInstance")).CallWithContext(ctx, name+".SendMessage", 0, msg)
	return call.Err == nil
}
