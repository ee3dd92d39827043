package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kardianos/service"

	"cloudbridge/backend/core"
)

// ServiceName is the systemd unit (cloudbridge.service) and the Windows
// service name.
const ServiceName = "cloudbridge"

// DefaultServiceDataDir is where a service keeps its store unless --data says
// otherwise: not the installing admin's profile, which the service account
// cannot (and should not) read.
func DefaultServiceDataDir() string {
	if runtime.GOOS == "windows" {
		if d := os.Getenv("ProgramData"); d != "" {
			return filepath.Join(d, "CloudBridge")
		}
		return `C:\ProgramData\CloudBridge`
	}
	return "/var/lib/cloudbridge"
}

// ServiceSpec is what `cloudbridge service install` registers: the binary
// run as `serve --data DataDir`.
type ServiceSpec struct {
	Exe     string
	DataDir string
	User    string // Linux: the account the unit runs as; Windows: LocalSystem
}

// ServerBinary picks the binary a service runs: the static
// cloudbridge-server beside exe when there is one (a server needs no GTK or
// WebKit), else exe itself.
func ServerBinary(exe string) string {
	if runtime.GOOS == "windows" {
		return exe // one binary on Windows; serve runs without WebView2
	}
	srv := filepath.Join(filepath.Dir(exe), "cloudbridge-server")
	if st, err := os.Stat(srv); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return srv
	}
	return exe
}

// Validate refuses what cannot be stored safely in a unit: a relative data
// directory (a service has no meaningful working directory) and, for
// systemd, characters its quoting and specifier rules would change.
func (sp ServiceSpec) Validate() error {
	if !filepath.IsAbs(sp.DataDir) {
		return core.ErrServiceDataNotAbsolute.New("dir", sp.DataDir)
	}
	if runtime.GOOS != "windows" {
		for _, p := range []string{sp.DataDir, sp.Exe} {
			if strings.ContainsAny(p, " \t\n\r\"'\\%$;`") {
				return core.ErrServicePathUnsafe.New("path", p)
			}
		}
	}
	return nil
}

// Args are the service's command-line arguments.
func (sp ServiceSpec) Args() []string {
	return []string{"serve", "--data", filepath.Clean(sp.DataDir)}
}

// SystemdUnit is the unit file written to /etc/systemd/system. It is also
// the unit shipped in the Linux tarball (build/linux/cloudbridge.service,
// checked by a test), so install.sh --service and `service install` run the
// same thing.
func (sp ServiceSpec) SystemdUnit() string {
	data := filepath.Clean(sp.DataDir)
	var b strings.Builder
	w := func(lines ...string) {
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	w("# CloudBridge headless service: public listener (SSO, QR login, OA intake) plus the",
		"# admin UI on its loopback admin address (127.0.0.1:8898). Written by `cloudbridge",
		"# service install` and by the Linux tarball's install.sh --service; removed by",
		"# `cloudbridge service uninstall` or uninstall.sh.",
		"[Unit]",
		"Description=CloudBridge (云桥 for WeLink) service",
		"Wants=network-online.target",
		"After=network-online.target",
		"",
		"[Service]",
		"Type=simple",
		"User="+sp.User,
		"ExecStart="+sp.Exe+" "+strings.Join(sp.Args(), " "),
		"Restart=on-failure",
		"RestartSec=5s",
		// serve stops the listeners and closes the store on SIGTERM.
		"TimeoutStopSec=30s")
	if data == "/var/lib/"+ServiceName {
		// systemd creates it, owned by User, on every start.
		w("StateDirectory="+ServiceName, "StateDirectoryMode=0700")
	} else {
		w("ReadWritePaths=" + data)
	}
	w("WorkingDirectory="+data,
		"Environment=HOME="+data,
		"# Hardening: the service only needs its data directory and the network.",
		"NoNewPrivileges=yes",
		"PrivateTmp=yes",
		"PrivateDevices=yes",
		"ProtectSystem=strict")
	if underHome(data) {
		w("ProtectHome=read-only") // ReadWritePaths reopens the data directory
	} else {
		w("ProtectHome=yes")
	}
	w("ProtectKernelTunables=yes",
		"ProtectKernelModules=yes",
		"ProtectControlGroups=yes",
		"RestrictSUIDSGID=yes",
		"RestrictNamespaces=yes",
		"LockPersonality=yes",
		"RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
		"# Allow binding :80/:443 for the public listener without running as root.",
		"AmbientCapabilities=CAP_NET_BIND_SERVICE",
		"CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
		"LimitNOFILE=65536",
		"",
		"[Install]",
		"WantedBy=multi-user.target")
	return b.String()
}

func underHome(dir string) bool {
	for _, p := range []string{"/home/", "/root/", "/run/user/"} {
		if strings.HasPrefix(dir+"/", p) {
			return true
		}
	}
	return false
}

// ServiceConfig is the kardianos/service configuration for sp.
//
// kardianos/service (over hand-written systemctl and sc.exe calls) because it
// implements the Windows service control protocol that `serve` must speak
// when the SCM starts it (StartPending → Running, Stop, Shutdown), and the
// systemd/SCM install, start, stop and status calls, in one small dependency.
func (sp ServiceSpec) ServiceConfig() *service.Config {
	cfg := &service.Config{
		Name:        ServiceName,
		DisplayName: "CloudBridge (云桥 for WeLink)",
		Description: "CloudBridge public listener: WeLink single sign-on, QR login and OA to-do intake; admin UI on 127.0.0.1:8898.",
		Executable:  sp.Exe,
		Arguments:   sp.Args(),
		Option: service.KeyValue{
			// Our own unit (hardening, no Restart=always), rendered in
			// full: it contains no template actions.
			"SystemdScript": sp.SystemdUnit(),
			// Windows: start with the machine, restart after a crash.
			"StartType":              "automatic",
			"DelayedAutoStart":       true,
			"OnFailure":              "restart",
			"OnFailureDelayDuration": "10s",
			"OnFailureResetPeriod":   86400,
		},
	}
	if runtime.GOOS != "windows" {
		cfg.UserName = sp.User
	}
	return cfg
}

// UnitPath is where the service definition lives, for messages.
func UnitPath() string {
	if runtime.GOOS == "windows" {
		return `HKLM\SYSTEM\CurrentControlSet\Services\` + ServiceName
	}
	return "/etc/systemd/system/" + ServiceName + ".service"
}

// ServiceSystem names the service manager kardianos detected ("" when
// none): "linux-systemd" or "windows-service" are supported.
func ServiceSystem() (name string, supported bool) {
	sys := service.ChosenSystem()
	if sys == nil {
		return "", false
	}
	name = sys.String()
	return name, name == "linux-systemd" || name == "windows-service"
}

// SystemdRunning reports whether systemd manages this boot (what kardianos
// checks too); in a container it usually does not.
func SystemdRunning() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

// describe is for messages only.
func (sp ServiceSpec) String() string {
	return fmt.Sprintf("%s %s", sp.Exe, strings.Join(sp.Args(), " "))
}
