import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { THEME_PARAMS } from './portal.theme.js';

/** Where the dispatcher serves the portal (vite.config.ts `base`). */
export const BASE = '/portal';

const listeners = new Set<() => void>();

/** The portal's path without the base: `/`, `/endpoints/ep_…`, … */
function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path.replace(/\/+$/, '') || '/';
}

export function navigate(to: string): void {
  // The look an embedding dashboard asked for (portal.theme.ts) is kept for a reload; a page's own
  // parameters (the Attempts tab's filters) stay with that page.
  const current = new URLSearchParams(location.search);
  const look = new URLSearchParams(THEME_PARAMS.flatMap((name) => (current.has(name) ? [[name, current.get(name)!]] : [])));
  history.pushState(null, '', BASE + to + (look.size ? `?${look}` : ''));
  for (const listener of listeners) listener();
}

/** The current path; the component renders again when it changes (links, back and forward). */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** The parameters of `pattern` (`/endpoints/:id/:tab?`) in `path`, or null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const source = pattern.replace(/\/:(\w+)(\?)?/g, (_whole, name: string, optional?: string) => {
    names.push(name);
    return optional ? '(?:/([^/]+))?' : '/([^/]+)';
  });
  const found = new RegExp(`^${source}$`).exec(path);
  if (!found) return null;
  return Object.fromEntries(names.flatMap((name, index) => (found[index + 1] === undefined ? [] : [[name, decodeURIComponent(found[index + 1])]])));
}

interface LinkProps {
  to: string;
  class?: string;
  children: ComponentChildren;
  'aria-current'?: 'page' | undefined;
}

/** A real link (open in a new tab works), followed in place on a plain click. */
export function Link({ to, children, ...rest }: LinkProps) {
  return (
    <a
      href={BASE + to}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
      {...rest}
    >
      {children}
    </a>
  );
}
