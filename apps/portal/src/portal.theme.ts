/**
 * The look a customer's dashboard asks for: svix-react's `<AppPortal>` adds `darkMode` (true or
 * auto), `primaryColor`, `fontFamily` and `icon` to the link's query. The query is anyone's to write,
 * so each value is checked and a bad one ignored; they reach the page only as CSS property values set
 * through the CSSOM and as an image's src, never as markup or style text.
 */
export interface Theme {
  darkMode: 'dark' | 'auto' | 'light';
  primaryColor?: string;
  fontFamily?: string;
  icon?: string;
}

/** The query parameters that carry the look, kept from page to page (see portal.router.tsx `navigate`). */
export const THEME_PARAMS = ['darkMode', 'primaryColor', 'fontFamily', 'icon'] as const;

/** CSS.supports in the browser; the checks are kept apart from it so they can be tested without one. */
export type Supports = (property: string, value: string) => boolean;

// Characters of colours (hex, names, rgb(), hsl(), oklch()…) and of font lists: no url(), no escapes, no `;` or braces.
const COLOR_TEXT = /^[\w#(),.%/+\- ]{1,100}$/;
const FONT_TEXT = /^[\w ,.'"-]{1,200}$/;
const DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp|avif|svg\+xml)[;,]/;

export function readTheme(search: string, supports: Supports): Theme {
  const query = new URLSearchParams(search);
  const darkMode = query.get('darkMode');
  const primaryColor = query.get('primaryColor');
  const fontFamily = query.get('fontFamily');
  return {
    darkMode: darkMode === 'true' ? 'dark' : darkMode === 'auto' ? 'auto' : 'light',
    primaryColor: primaryColor && COLOR_TEXT.test(primaryColor) && !/var\(/i.test(primaryColor) && supports('color', primaryColor) ? primaryColor : undefined,
    fontFamily: fontFamily && FONT_TEXT.test(fontFamily) && supports('font-family', fontFamily) ? fontFamily : undefined,
    icon: iconSource(query.get('icon')),
  };
}

/** An http(s) URL or an inline image, for an <img src>: what the dispatcher's CSP lets the page load. */
function iconSource(icon: string | null): string | undefined {
  if (!icon) return undefined;
  if (DATA_IMAGE.test(icon)) return icon;
  try {
    const url = new URL(icon);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Applies the theme to the document's root: `data-theme` picks the colours in portal.css (`auto`
 * follows the system's setting as it changes), the colour and font go in as custom properties.
 */
export function applyTheme(root: HTMLElement, theme: Theme, prefersDark: MediaQueryList): void {
  const scheme = () => (theme.darkMode === 'dark' || (theme.darkMode === 'auto' && prefersDark.matches) ? 'dark' : 'light');
  root.dataset.theme = scheme();
  if (theme.darkMode === 'auto') prefersDark.addEventListener('change', () => (root.dataset.theme = scheme()));
  if (theme.primaryColor) {
    root.style.setProperty('--accent', theme.primaryColor);
    root.dataset.accent = 'custom';
  }
  if (theme.fontFamily) root.style.setProperty('--font', theme.fontFamily);
}

/**
 * In a frame (svix-react's `<AppPortal fullSize>`), tells the page around it the height of the
 * content whenever it changes, in the message svix-react listens for, so the frame never scrolls.
 */
export function reportHeight(content: HTMLElement): void {
  if (window.parent === window) return;
  document.documentElement.dataset.framed = '';
  let last = -1;
  new ResizeObserver(() => {
    const height = Math.ceil(content.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    // Only a height: nothing worth keeping from whichever page frames the portal.
    window.parent.postMessage({ type: 'svix.iframe-resizer-height', payload: { height } }, '*');
  }).observe(content);
}
