import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, UsageApi } from '../api';
import { useLocation } from '../router';
import { apiKeyName, load, save, takePortalToken } from '../session';
import { Dashboard } from './Dashboard';
import { lazy } from './Lazy';
import { Failure, Loading } from './States';
import { SignIn } from './SignIn';

/** A tenant at / (API key), or one customer's embedded view at /portal#token=... (portal token). */
export function App() {
  return location.pathname.startsWith('/portal') ? <PortalApp /> : <TenantApp />;
}

function TenantApp() {
  const [api, setApi] = useState<UsageApi | null>(() => {
    const key = load(apiKeyName);
    return key ? new UsageApi({ kind: 'tenant', secret: key }) : null;
  });
  const [notice, setNotice] = useState<string | null>(null);
  const { path } = useLocation();
  const inConsole = path === '/console' || path.startsWith('/console/');

  useEffect(() => {
    if (!api) document.title = 'Sign in · Tally';
    else if (!inConsole) document.title = 'Tally · usage';
  }, [api, inConsole]);

  if (!api) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(signedIn) => {
          save(apiKeyName, signedIn.credential.secret);
          setNotice(null);
          setApi(signedIn);
        }}
      />
    );
  }
  const signOut = (message: string | null) => {
    save(apiKeyName, null);
    setNotice(message);
    setApi(null);
  };
  if (inConsole) {
    return (
      <LazyConsole
        api={api}
        onSignOut={() => signOut('You are signed out.')}
        onUnauthorized={() => signOut('Your API key is no longer accepted; sign in again.')}
      />
    );
  }
  return (
    <Dashboard
      api={api}
      subject={null}
      onSignOut={() => signOut('You are signed out.')}
      onUnauthorized={() => signOut('Your API key is no longer accepted; sign in again.')}
    />
  );
}

interface ConsoleProps {
  api: UsageApi;
  onSignOut: () => void;
  onUnauthorized: () => void;
}

/**
 * The finance console is a chunk of its own, fetched only when a tenant opens /console: the usage
 * dashboard's first paint (and the embedded portal view) never pays for it.
 */
const LazyConsole = lazy<ConsoleProps>(
  () => import('../console/Console').then((module) => module.Console),
  'the finance console',
  (content) => (
    <main class="content narrow" id="main">
      {content}
    </main>
  ),
);

function PortalApp() {
  const api = useMemo(() => {
    const token = takePortalToken();
    return token ? new UsageApi({ kind: 'portal', secret: token }) : null;
  }, []);
  const [subject, setSubject] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    api?.portalToken().then((info) => setSubject(info.subject), setError);
  }, [api]);

  if (!api) {
    return (
      <main class="content narrow" id="main">
        <h1>Usage</h1>
        <p role="alert">
          This page shows one customer's usage and needs a portal link of the form <code>/portal#token=…</code>. Ask the product that sent you here
          for a new link.
        </p>
      </main>
    );
  }
  if (error) {
    return (
      <main class="content narrow" id="main">
        <h1>Usage</h1>
        <Failure
          error={error.status === 401 ? new ApiError(401, 'This link no longer works', `${error.detail} Ask the product that sent you here for a new link.`) : error}
          what="your usage"
        />
      </main>
    );
  }
  if (!subject) {
    return (
      <main class="content narrow" id="main">
        <Loading what="your usage" />
      </main>
    );
  }
  return <Dashboard api={api} subject={subject} onUnauthorized={(e) => setError(e)} />;
}
