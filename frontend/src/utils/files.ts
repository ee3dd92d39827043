// Files cross the bridge as base64 (the same in the desktop window and the
// browser): downloads become a Blob link, uploads are read with FileReader.
import type { FilePayload } from '@/bridge/oaconfig'

export function downloadFile(f: FilePayload): void {
  const bin = atob(f.contentBase64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  const url = URL.createObjectURL(new Blob([bytes]))
  const a = document.createElement('a')
  a.href = url
  a.download = f.name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function readFile(file: File): Promise<FilePayload> {
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onerror = () => reject(r.error)
    r.onload = () => {
      const s = String(r.result)
      resolve({ name: file.name, contentBase64: s.slice(s.indexOf(',') + 1) })
    }
    r.readAsDataURL(file)
  })
}
