/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

type WailsMethod = (...args: unknown[]) => Promise<unknown>

interface Window {
  /** Wails binding: window.go.app.Bridge.Call(pkg, method, args) (the one bound struct). Absent in a browser. */
  go?: Record<string, Record<string, Record<string, WailsMethod>>>
  /** Wails runtime (desktop only). */
  runtime?: {
    EventsOn?: (event: string, cb: (...data: unknown[]) => void) => () => void
    ClipboardSetText?: (text: string) => Promise<boolean>
    BrowserOpenURL?: (url: string) => void
  }
}
