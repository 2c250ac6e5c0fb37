/**
 * Light, dark, or whatever the system prefers. The choice is the `data-theme` attribute on
 * <html> (app.css defines both palettes) and is remembered in local storage.
 */
export type Theme = 'system' | 'light' | 'dark';

export const THEME_LABELS: Record<Theme, string> = {
  system: 'system',
  light: 'light',
  dark: 'dark',
};

const KEY = 'ftp-lab.theme';
const ORDER: Theme[] = ['system', 'light', 'dark'];

export function nextTheme(theme: Theme): Theme {
  return ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length]!;
}

export function loadTheme(): Theme {
  try {
    const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
    return ORDER.includes(stored as Theme) ? (stored as Theme) : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme): void {
  if (typeof document === 'undefined') return;
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    if (theme === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // Without storage the choice lasts for the visit.
  }
}
