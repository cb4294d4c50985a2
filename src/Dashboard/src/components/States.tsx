import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api';

export function Loading({ what }: { what: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <p class="state-title">{title}</p>
      {children && <p>{children}</p>}
    </div>
  );
}

/** A failure said plainly, with what to do next and, where trying again can help, a button for it. */
export function Failure({ error, what, onRetry }: { error: ApiError; what: string; onRetry?: () => void }) {
  const advice =
    error.status === 0
      ? 'Check that Tally is running, then try again.'
      : error.status === 503
        ? 'Tally retries by itself; try again in a few seconds.'
        : error.status === 401
          ? 'Sign in again with a valid credential.'
          : null;
  return (
    <div class="state state-error" role="alert">
      <p class="state-title">
        Could not load {what}: {error.title}
      </p>
      <p>{error.detail}</p>
      {advice && <p>{advice}</p>}
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
