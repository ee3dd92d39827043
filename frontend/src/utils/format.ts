/** "" for missing/zero Go times, else a local date-time in the given locale. */
export function formatTime(iso: string | undefined | null, locale: string): string {
  if (!iso || iso.startsWith('0001-01-01')) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(d)
}

/** True for a full http(s) URL with a host. */
export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s.trim())
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== ''
  } catch {
    return false
  }
}
