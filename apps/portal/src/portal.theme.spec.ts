import { describe, expect, it } from 'vitest';
import { readTheme, type Supports } from './portal.theme.js';

/** A stand-in for CSS.supports: the values a browser would accept in these tests. */
const KNOWN = new Set(['#0e7c66', 'rgb(14 124 102 / 90%)', 'rebeccapurple', 'Georgia, "Times New Roman", serif', 'Inter', 'var(--x)']);
const supports: Supports = (_property, value) => KNOWN.has(value);

const query = (params: Record<string, string>) => `?${new URLSearchParams(params)}`;

describe('the look an embedding dashboard asks for (svix-react AppPortal query)', () => {
  it('is the plain light portal without a query', () => {
    expect(readTheme('', supports)).toEqual({ darkMode: 'light', primaryColor: undefined, fontFamily: undefined, icon: undefined });
  });

  it('reads darkMode true and auto, anything else being light', () => {
    expect(readTheme(query({ darkMode: 'true' }), supports).darkMode).toBe('dark');
    expect(readTheme(query({ darkMode: 'auto' }), supports).darkMode).toBe('auto');
    expect(readTheme(query({ darkMode: 'yes' }), supports).darkMode).toBe('light');
  });

  it('takes a primary colour and a font the browser accepts', () => {
    expect(readTheme(query({ primaryColor: '#0e7c66', fontFamily: 'Georgia, "Times New Roman", serif' }), supports)).toMatchObject({
      primaryColor: '#0e7c66',
      fontFamily: 'Georgia, "Times New Roman", serif',
    });
    expect(readTheme(query({ primaryColor: 'rgb(14 124 102 / 90%)' }), supports).primaryColor).toBe('rgb(14 124 102 / 90%)');
  });

  it.each([
    ['primaryColor', 'not-a-colour'],
    ['primaryColor', 'red; } body { display: none'],
    ['primaryColor', 'url(https://evil.example/x)'],
    ['primaryColor', 'var(--x)'],
    ['fontFamily', '"Inter'],
    ['fontFamily', 'Inter; background: url(https://evil.example/x)'],
    ['fontFamily', 'Inter\\3b color: red'],
  ])('ignores %s=%s', (name, value) => {
    expect(readTheme(query({ [name]: value }), supports)[name as 'primaryColor' | 'fontFamily']).toBeUndefined();
  });

  it('takes an http(s) icon or an inline image, and nothing else', () => {
    expect(readTheme(query({ icon: 'https://cdn.example.com/logo.png' }), supports).icon).toBe('https://cdn.example.com/logo.png');
    expect(readTheme(query({ icon: 'http://127.0.0.1:8080/logo.svg' }), supports).icon).toBe('http://127.0.0.1:8080/logo.svg');
    expect(readTheme(query({ icon: 'data:image/png;base64,iVBORw0KGgo=' }), supports).icon).toBe('data:image/png;base64,iVBORw0KGgo=');
    for (const icon of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', '/portal/favicon.svg', '"><img src=x onerror=alert(1)>']) {
      expect(readTheme(query({ icon }), supports).icon).toBeUndefined();
    }
  });
});
