// @vitest-environment jsdom
// 系统设置 → 备份 against a stubbed Go backup service (desktop transport).
import { describe, expect, it, vi } from 'vitest'
import { byTestId, flush, installServices, mountView, useViewEnv } from './helpers'
import BackupPanel from '@/views/system/BackupPanel.vue'
import type { BackupInfo, BackupOverview, BackupSettings } from '@/bridge/backup'

useViewEnv()

const b1: BackupInfo = { name: 'cloudbridge-20261124T023000Z.bak', path: '/d/backups/cloudbridge-20261124T023000Z.bak', size: 3 * 1024 * 1024, created: '2026-11-24T02:30:00Z', schema: 1, appVersion: '1.0.0' }
const b2: BackupInfo = { ...b1, name: 'cloudbridge-20261125T023000Z.bak', created: '2026-11-25T02:30:00Z', size: 2048 }
const settings: BackupSettings = { enabled: true, time: '02:30', keep: 7 }
const overview = (backups: BackupInfo[], extra: Partial<BackupOverview> = {}): BackupOverview => ({
  dir: '/d/backups',
  backups,
  restoreCommand: 'cloudbridge restore "/d/backups/cloudbridge-<time>.bak" --data "/d"',
  settings,
  ...extra,
})

describe('BackupPanel', () => {
  it('lists backups with size, says the master key is needed and shows the restore command', async () => {
    installServices({ backup: { ListBackups: async () => overview([b2, b1], { nextRun: '2026-11-26T02:30:00Z' }) } })
    await mountView(BackupPanel)
    await flush()
    const text = byTestId('backup-panel')?.textContent ?? ''
    expect(text).toContain('主密钥')
    expect(byTestId('backup-list')?.textContent).toContain(b2.name)
    expect(byTestId('backup-list')?.textContent).toContain('3.0 MB')
    expect(byTestId('backup-list')?.textContent).toContain('2.0 KB')
    expect(byTestId('backup-restore-cmd')?.textContent).toContain('cloudbridge restore')
    expect(byTestId('backup-next')?.textContent).toContain('下次自动备份')
  })

  it('backs up now and reloads the list', async () => {
    let list = [b1]
    const now = vi.fn(async () => {
      list = [b2, b1]
      return b2
    })
    installServices({ backup: { ListBackups: async () => overview(list), BackupNow: now } })
    await mountView(BackupPanel)
    await flush()
    ;(byTestId('backup-now') as HTMLButtonElement).click()
    await flush()
    expect(now).toHaveBeenCalledTimes(1)
    expect(byTestId('backup-list')?.textContent).toContain(b2.name)
  })

  it('saves the settings and shows a failed backup as a translated error', async () => {
    const save = vi.fn(async (s: BackupSettings) => s)
    installServices({
      backup: {
        ListBackups: async () => overview([], { lastError: { code: 'backup.write_failed', params: { dir: '/d/backups' } }, lastErrorAt: '2026-11-25T02:30:00Z' }),
        SaveBackupSettings: save,
      },
    })
    await mountView(BackupPanel)
    await flush()
    expect(byTestId('backup-last-error')?.textContent).toContain('无法写入备份目录 /d/backups')
    ;(byTestId('backup-save') as HTMLButtonElement).click()
    await flush()
    expect(save).toHaveBeenCalledWith({ enabled: true, time: '02:30', keep: 7 })
  })
})

describe('restore from the UI', () => {
  const state = { rotationPending: false, keyStorage: 'file', restartMode: 'exec', canRestart: true, maxUpload: 24 << 20 }
  const preview = {
    token: 'tok1', source: b1.name, created: b1.created, appVersion: '1.0.0', schema: 1, size: b1.size, records: 12,
    counts: [{ name: 'corp', count: 2 }, { name: 'relay.rule', count: 3 }],
    current: [{ name: 'corp', count: 5 }, { name: 'relay.rule', count: 3 }],
    stagedAt: '2026-11-25T03:00:00Z',
  }

  it('verifies a listed backup, shows what it holds beside the current store, and confirms with the token', async () => {
    const prepare = vi.fn(async () => preview)
    const confirm = vi.fn(async () => ({ restarting: true, mode: 'exec' }))
    installServices({ backup: { ListBackups: async () => overview([b1]), GetMaintenance: async () => state, PrepareRestore: prepare, ConfirmRestore: confirm } })
    await mountView(BackupPanel)
    await flush()
    ;(byTestId(`backup-restore-${b1.name}`) as HTMLButtonElement).click()
    await flush()
    expect(prepare).toHaveBeenCalledWith(b1.name)
    const dialog = byTestId('restore-dialog')?.textContent ?? ''
    expect(dialog).toContain(b1.name)
    expect(dialog).toContain('自动重启')
    const counts = byTestId('restore-counts')?.textContent ?? ''
    expect(counts).toContain('企业')
    expect(counts).toContain('推送规则')
    expect(byTestId('restore-records')?.textContent).toContain('12')
    ;(byTestId('restore-confirm') as HTMLButtonElement).click()
    await flush()
    expect(confirm).toHaveBeenCalledWith('tok1')
    expect(byTestId('restarting')?.textContent).toContain('正在重启')
  })

  it('shows a corrupt backup as a translated error and stages nothing', async () => {
    installServices({
      backup: {
        ListBackups: async () => overview([b1]), GetMaintenance: async () => state,
        PrepareRestore: async () => { throw { code: 'backup.corrupt', params: { file: b1.name } } },
      },
    })
    await mountView(BackupPanel)
    await flush()
    ;(byTestId(`backup-restore-${b1.name}`) as HTMLButtonElement).click()
    await flush()
    expect(document.body.textContent).toContain(`备份 ${b1.name} 已损坏或被篡改`)
    expect(byTestId('restore-dialog')).toBeNull()
  })
})
