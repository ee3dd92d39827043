// UI strings of System settings › General › Startup (en-US); same keys as startup.zh-CN.ts.
export default {
  card: 'Startup and background',
  autostart: 'Start CloudBridge when I log in',
  autostartHint: 'Starts CloudBridge in the background after you log in to Windows or the Linux desktop (the window stays in the system tray), and with it the public listener.',
  command: 'Command',
  location: 'Location',
  enabledOk: 'CloudBridge now starts when you log in',
  disabledOk: 'CloudBridge no longer starts when you log in',
  stale: 'The existing startup entry runs another program or data directory. Turn the switch on again to point it at this CloudBridge.',
  unsupported: 'Start at login applies to the desktop window. On a server, install CloudBridge as a system service (runs from boot, nobody needs to log in):',
  tray: 'Closing the window hides CloudBridge in the system tray and keeps it running (single sign-on, QR login and to-do pushes go on); to quit, choose "Quit" in the tray icon\'s menu.',
  noTray: 'No system tray was found (e.g. GNOME without the AppIndicator extension): closing the window asks whether to quit, and quitting stops the public listener.',
  service: 'To keep it running with nobody logged in, install it as a system service (as administrator):',
}
