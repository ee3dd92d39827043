// UI strings of 系统设置 › 常规 › 开机与后台运行 (zh-CN); startup.en-US.ts has the same keys.
export default {
  card: '开机与后台运行',
  autostart: '登录系统时启动云桥',
  autostartHint: '登录 Windows 或 Linux 桌面后在后台启动云桥（窗口留在系统托盘中），公网监听随之启动。',
  command: '启动命令',
  location: '位置',
  enabledOk: '已开启：登录时启动云桥',
  disabledOk: '已关闭登录时启动',
  stale: '现有的自启动项运行的是另一个程序或数据目录。再次打开开关即可改为当前的云桥。',
  unsupported: '开机自启动只适用于桌面窗口。在服务器上，请把云桥安装为系统服务（开机即运行，无需登录）：',
  tray: '关闭窗口时，云桥会隐藏到系统托盘并继续运行（单点登录、扫码登录和待办推送不中断）；要退出，请在托盘图标的菜单中选择“退出”。',
  noTray: '没有找到系统托盘（例如 GNOME 未安装 AppIndicator 扩展），关闭窗口时会询问是否退出；退出后公网监听随之停止。',
  service: '要在无人登录时也保持运行，请以管理员身份安装为系统服务：',
}
