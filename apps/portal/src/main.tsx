import { render, type ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { EndpointPage } from './pages/endpoint.page.js';
import { EndpointsPage, NewEndpointPage } from './pages/endpoints.page.js';
import { EventTypesPage } from './pages/event-types.page.js';
import { MessagePage } from './pages/message.page.js';
import { forgetToken, PortalApi, takeToken, type Session } from './portal.api.js';
import { formatTime } from './portal.format.js';
import { Portal, useLoad } from './portal.hooks.js';
import { Link, match, usePath } from './portal.router.js';
import { applyTheme, readTheme, reportHeight } from './portal.theme.js';
import { ErrorNotice, Spinner } from './portal.ui.js';
import './portal.css';

type Gate = 'none' | 'expired' | 'signed-out';

const theme = readTheme(location.search, (property, value) => CSS.supports(property, value));
applyTheme(document.documentElement, theme, matchMedia('(prefers-color-scheme: dark)'));

/** The dashboard's icon when its link names one, else the portal's own mark. */
function BrandMark({ large }: { large?: boolean }) {
  const className = large ? 'brand-mark brand-mark-large' : 'brand-mark';
  return theme.icon ? <img class={`${className} brand-icon`} src={theme.icon} alt="" /> : <span class={className} aria-hidden="true" />;
}

function App() {
  const [token] = useState(() => takeToken(location, sessionStorage));
  const [gate, setGate] = useState<Gate>('none');
  const api = useMemo(() => {
    if (!token) return null;
    return new PortalApi(token, () => {
      forgetToken(sessionStorage);
      setGate('expired');
    });
  }, [token]);
  if (!api) {
    return (
      <Closed title="Open the portal from your link">
        This page opens from the portal link you were given: the link signs you in for a while. Ask for a new one if you no longer have it.
      </Closed>
    );
  }
  if (gate === 'expired') {
    return <Closed title="This portal link has expired">Links work for a limited time, or until they are revoked. Ask for a new link to continue.</Closed>;
  }
  if (gate === 'signed-out') return <Closed title="You are signed out">Open your portal link again to come back.</Closed>;
  return <SignedIn api={api} onSignOut={() => setGate('signed-out')} />;
}

function SignedIn({ api, onSignOut }: { api: PortalApi; onSignOut: () => void }) {
  const session = useLoad(() => api.session(), []);
  if (session.data === undefined) {
    return (
      <main class="main" id="main">
        {session.error ? <ErrorNotice error={session.error} retry={session.reload} /> : <Spinner label="Opening the portal…" />}
      </main>
    );
  }
  return <Shell session={session.data} api={api.forApp(session.data.app.id)} onSignOut={onSignOut} />;
}

function Shell({ session, api, onSignOut }: { session: Session; api: PortalApi; onSignOut: () => void }) {
  const catalogue = useLoad(() => api.eventTypes(), []);
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  const opened = useRef(false);
  // A new page: keyboard and screen-reader users start at its heading, unless what they used is
  // still there (a tab of the same page). A heading that waits for data is focused when it comes.
  useEffect(() => {
    const content = main.current!;
    const first = !opened.current;
    opened.current = true;
    // In a dashboard's frame, opening must not pull the dashboard's focus, and its scroll, to the portal.
    if (first && window.parent !== window) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    scrollTo(0, 0);
    const focusHeading = () => {
      const heading = content.querySelector('h1');
      heading?.focus();
      return heading !== null;
    };
    if (focusHeading()) return;
    content.focus();
    const observer = new MutationObserver(() => {
      if (document.activeElement !== content || focusHeading()) observer.disconnect();
    });
    observer.observe(content, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [path]);
  const signOut = async () => {
    await api.logout().catch(() => undefined);
    forgetToken(sessionStorage);
    onSignOut();
  };
  const section = path.startsWith('/event-types') ? 'event-types' : 'endpoints';
  return (
    <Portal.Provider value={{ api, session, catalogue }}>
      <a href="#main" class="skip">
        Skip to content
      </a>
      <header class="header">
        <div class="header-inner">
          <p class="brand">
            <BrandMark />
            <span>
              Webhooks <span class="brand-app">· {session.app.name}</span>
            </span>
          </p>
          <nav class="nav" aria-label="Portal">
            <Link to="/" class="nav-link" aria-current={section === 'endpoints' ? 'page' : undefined}>
              Endpoints
            </Link>
            <Link to="/event-types" class="nav-link" aria-current={section === 'event-types' ? 'page' : undefined}>
              Event types
            </Link>
            <button type="button" class="nav-link nav-button" onClick={signOut}>
              Sign out
            </button>
          </nav>
        </div>
      </header>
      <main class="main" id="main" ref={main} tabIndex={-1}>
        <Route path={path} />
      </main>
      <footer class="footer">Signed in for {session.app.name} until {formatTime(session.expiresAt)}.</footer>
    </Portal.Provider>
  );
}

function Route({ path }: { path: string }) {
  let params;
  if (path === '/') return <EndpointsPage />;
  if (path === '/endpoints/new') return <NewEndpointPage />;
  if ((params = match('/endpoints/:id/:tab?', path))) return <EndpointPage id={params.id} tab={params.tab} />;
  if ((params = match('/messages/:id', path))) return <MessagePage id={params.id} />;
  if (path === '/event-types') return <EventTypesPage />;
  return <NotFound />;
}

function NotFound() {
  return (
    <>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link to="/">Back to the endpoints</Link>
      </p>
    </>
  );
}

function Closed({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main class="main main-narrow" id="main">
      <div class="closed">
        <BrandMark large />
        <h1>{title}</h1>
        <p>{children}</p>
      </div>
    </main>
  );
}

const root = document.getElementById('root')!;
render(<App />, root);
reportHeight(root);
