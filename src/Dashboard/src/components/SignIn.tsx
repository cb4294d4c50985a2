import { useState } from 'preact/hooks';
import { ApiError, UsageApi } from '../api';

/**
 * Sign-in with a tenant API key. The key is checked against the API, then kept in this tab's session
 * storage; the form posts nowhere, so the key never lands in a URL, a log or the history.
 */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (api: UsageApi) => void; notice: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const secret = key.trim();
    if (!secret) {
      setError('Enter your API key: it starts with tly_.');
      return;
    }
    setBusy(true);
    setError(null);
    const api = new UsageApi({ kind: 'tenant', secret });
    try {
      await api.meters();
      onSignedIn(api);
    } catch (e) {
      const problem = e as ApiError;
      setError(
        problem.status === 401
          ? 'That key was not accepted. Check it, or create a tenant and key with ./tally tenant create NAME.'
          : `${problem.title}: ${problem.detail}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <h1>
        <span class="brand-mark" aria-hidden="true">
          ▮▮▮
        </span>{' '}
        Tally usage
      </h1>
      <p>Sign in with your tenant API key to watch your customers' usage live.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form method="post" onSubmit={submit} noValidate>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          aria-describedby="api-key-help"
          aria-invalid={error ? 'true' : undefined}
          aria-errormessage={error ? 'api-key-error' : undefined}
          required
        />
        <p id="api-key-help" class="muted small">
          Kept in this browser tab only (session storage), never in the address. Create one with <code>./tally tenant create NAME</code>.
        </p>
        {error && (
          <p id="api-key-error" class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
