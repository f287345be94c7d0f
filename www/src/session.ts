// Who is betting. The page takes a signed user token (minted by the operator's login, or in
// development by `inplay token` / the edge's token script) from `?token=` once, keeps it in
// localStorage and removes it from the address bar. Tokens are `<user_id>.<expiry ms>.<kid>.<hmac>`
// (`<user_id>.<expiry ms>.<hmac>` from before key ids); the edge verifies them, the page only reads them.

const KEY = 'inplay.token';

export interface Session {
  token: string;
  userId: string;
  expiresMs: number;
}

export function parseToken(token: string): Session | null {
  const m = /^([A-Za-z0-9_-]{1,64})\.(\d{1,16})(?:\.[A-Za-z0-9_-]{1,16})?\.([0-9a-f]{64})$/.exec(token.trim());
  if (!m) return null;
  return { token: token.trim(), userId: m[1] ?? '', expiresMs: Number(m[2]) };
}

function store(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    return undefined;
  }
}

/** The session from `?token=` (remembered) or from storage; expired tokens are dropped. */
export function loadSession(nowMs = Date.now()): Session | null {
  const url = new URL(location.href);
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) {
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.toString());
    const s = parseToken(fromQuery);
    if (s) store()?.setItem(KEY, s.token);
  }
  const saved = store()?.getItem(KEY);
  const s = saved ? parseToken(saved) : null;
  if (s && s.expiresMs <= nowMs) {
    store()?.removeItem(KEY);
    return null;
  }
  return s;
}

export function saveSession(token: string): Session | null {
  const s = parseToken(token);
  if (s) store()?.setItem(KEY, s.token);
  return s;
}

export function clearSession(): void {
  store()?.removeItem(KEY);
}

/** A stable per-tab id: sends a reconnecting page back to the relay shard holding its resume ring. */
export function clientId(): string {
  const k = 'inplay.client';
  try {
    let v = sessionStorage.getItem(k);
    if (!v) {
      v = crypto.randomUUID().replace(/-/g, '').slice(0, 16);
      sessionStorage.setItem(k, v);
    }
    return v;
  } catch {
    return crypto.randomUUID().replace(/-/g, '').slice(0, 16);
  }
}
