import type { GlobalThemeOverrides } from 'naive-ui'

const font =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', Roboto, 'Helvetica Neue', Arial, sans-serif"

export const themeOverrides: GlobalThemeOverrides = {
  common: {
    primaryColor: '#2468F2',
    primaryColorHover: '#4A84F5',
    primaryColorPressed: '#1A52C6',
    primaryColorSuppl: '#4A84F5',
    borderRadius: '6px',
    fontFamily: font,
  },
  Card: { borderRadius: '10px', titleFontSizeMedium: '15px' },
  Layout: { headerColor: '#ffffff', siderColor: '#ffffff', color: '#f4f6fa' },
  Menu: { itemHeight: '40px', borderRadius: '6px' },
}
