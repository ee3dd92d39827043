import { defineStore } from 'pinia'
import { ref } from 'vue'
import { system, type Settings, type SettingsInput } from '@/bridge'

/** The system settings, shared by the shell (demo flag), app editor (OA entries) and settings page. */
export const useSettings = defineStore('settings', () => {
  const settings = ref<Settings | null>(null)
  let pending: Promise<Settings> | null = null

  async function load(force = false): Promise<Settings> {
    if (settings.value && !force) return settings.value
    pending ??= system.getSettings().finally(() => (pending = null))
    settings.value = await pending
    return settings.value
  }
  async function save(input: SettingsInput): Promise<Settings> {
    settings.value = await system.saveSettings(input)
    return settings.value
  }
  function clear() {
    settings.value = null
  }
  return { settings, load, save, clear }
})
