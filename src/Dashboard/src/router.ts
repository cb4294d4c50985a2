import { useEffect, useState } from 'preact/hooks';

// The page's own paths (/, /console/…) with the History API: real links that open in a new tab, work
// with the keyboard and the back button, and carry no secret (the API key stays in session storage).

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  listeners.forEach((listener) => listener());
  if (!replace) window.scrollTo(0, 0);
}

/** The current path and query; re-renders on navigation and on the back and forward buttons. */
export function useLocation(): { path: string; search: string } {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const changed = () => setVersion((n) => n + 1);
    listeners.add(changed);
    addEventListener('popstate', changed);
    return () => {
      listeners.delete(changed);
      removeEventListener('popstate', changed);
    };
  }, []);
  return { path: location.pathname, search: location.search };
}

/** A click on an in-app link navigates without a reload; modified clicks (new tab, window) are the browser's. */
export function follow(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(anchor.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
