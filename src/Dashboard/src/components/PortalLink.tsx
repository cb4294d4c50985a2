import { useState } from 'preact/hooks';
import type { ApiError, PortalTokenInfo, UsageApi } from '../api';
import { formatInstant } from '../time';

/**
 * Mints a portal token for one subject and shows the embeddable link (/portal#token=...), as a
 * SaaS product would from its backend; the link shows exactly what that customer will see.
 */
export function PortalLink({ api, subject, timeZone }: { api: UsageApi; subject: string; timeZone: string }) {
  const [token, setToken] = useState<PortalTokenInfo | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const link = token ? `${location.origin}/portal#token=${token.token}` : '';

  const mint = async () => {
    setBusy(true);
    setError(null);
    try {
      setToken(await api.createPortalToken(subject));
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="portal-link">
      <button type="button" class="button secondary" onClick={mint} disabled={busy}>
        {busy ? 'Creating…' : `Create a portal link for ${subject}`}
      </button>
      {error && (
        <p role="alert" class="error-text">
          {error.detail}
        </p>
      )}
      {token && (
        <p>
          <label for="portal-link">Portal link (valid until {formatInstant(token.expiresAt, timeZone)}; it is shown once)</label>
          <input id="portal-link" class="mono" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          <a href={link} target="_blank" rel="noopener noreferrer">
            Open the customer's view
          </a>
        </p>
      )}
    </div>
  );
}
