/**
 * The browser's local storage, or null when this visit cannot use it. With site data blocked,
 * Chromium throws a SecurityError merely for reading `window.localStorage`; a full or read-only
 * storage throws on `setItem`. Either way the caller keeps its state in memory for the visit
 * instead of failing its page (issue 11 item 11).
 */
export function localStore(
  scope: { readonly localStorage?: Storage } = globalThis as { localStorage?: Storage },
): Storage | null {
  try {
    const store = scope.localStorage;
    if (!store) return null;
    const probe = 'ftp-lab.probe';
    store.setItem(probe, '1');
    store.removeItem(probe);
    return store;
  } catch {
    return null;
  }
}
