// The trader's admin token: kept for this tab only (sessionStorage, gone when the tab closes), never
// in the address bar, where it would end up in history and logs.

const KEY = 'inplay.admin';

function store(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined;
  }
}

/** A token as typed: printable, no spaces, at most 512 characters; null when it cannot be one. */
export function readAdminToken(text: string): string | null {
  const t = text.trim();
  return /^[\x21-\x7e]{1,512}$/.test(t) ? t : null;
}

export function loadAdminToken(): string | null {
  const t = store()?.getItem(KEY);
  return t ? readAdminToken(t) : null;
}

export function saveAdminToken(token: string): void {
  store()?.setItem(KEY, token);
}

export function clearAdminToken(): void {
  store()?.removeItem(KEY);
}
