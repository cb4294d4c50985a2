// Secrets live in this tab's session storage (gone when the tab closes) and never in a URL. An
// embedded portal view may run in a third-party iframe whose storage is blocked: then only in memory.

const memory = new Map<string, string>();

export function load(name: string): string | null {
  try {
    return sessionStorage.getItem(name) ?? memory.get(name) ?? null;
  } catch {
    return memory.get(name) ?? null;
  }
}

export function save(name: string, value: string | null): void {
  if (value === null) memory.delete(name);
  else memory.set(name, value);
  try {
    if (value === null) sessionStorage.removeItem(name);
    else sessionStorage.setItem(name, value);
  } catch {
    // Storage blocked: memory holds it for this page.
  }
}

export const apiKeyName = 'tally.apiKey';
export const portalTokenName = 'tally.portalToken';

/**
 * The portal token handed over in the fragment (/portal#token=...), moved to session storage and
 * wiped from the address bar and history, so it is neither bookmarked nor shown over a shoulder.
 */
export function takePortalToken(): string | null {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const handed = fragment.get('token');
  if (handed) {
    save(portalTokenName, handed);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return load(portalTokenName);
}
