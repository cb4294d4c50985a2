import { createContext, type ComponentChildren, type JSX } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { Link } from '../components/Link';
import { Failure, Loading } from '../components/States';
import { formatMoney } from '../time';
import type { FinanceApi, FullCustomer } from './financeApi';

export interface ConsoleContextValue {
  finance: FinanceApi;
  customers: FullCustomer[] | null;
  reloadCustomers: () => void;
  onUnauthorized: () => void;
  /** Tells the nav that something waiting for approval may have changed. */
  approvalsChanged: () => void;
}

export const ConsoleContext = createContext<ConsoleContextValue>(null as unknown as ConsoleContextValue);

export function useConsole(): ConsoleContextValue {
  return useContext(ConsoleContext);
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  reload: () => void;
}

/**
 * Loads once per change of `key` and again on reload(); with `pollMs`, again every so often while
 * `keepPolling(data)` holds (a close run in progress). A refused key signs out.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, pollMs = 0, keepPolling: (data: T) => boolean = () => false): Loaded<T> {
  const { onUnauthorized } = useConsole();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const latest = useRef(load);
  latest.current = load;
  const lastKey = useRef(key);

  useEffect(() => {
    let cancelled = false;
    let timer = 0;
    if (lastKey.current !== key) {
      lastKey.current = key;
      setData(null);
    }
    const run = () => {
      latest.current().then(
        (value) => {
          if (cancelled) return;
          setData(value);
          setError(null);
          if (pollMs > 0 && keepPolling(value)) timer = window.setTimeout(run, pollMs);
        },
        (e: ApiError) => {
          if (cancelled) return;
          if (e.status === 401) onUnauthorized();
          else setError(e);
          // A transient failure while following a run: keep following.
          if (pollMs > 0 && (e.status === 0 || e.status >= 500)) timer = window.setTimeout(run, pollMs * 3);
        },
      );
    };
    run();
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [key, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data, error, reload };
}

/** A form's request: busy while it runs, the API's refusal kept for the fields to show. */
export function useAction() {
  const { onUnauthorized } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async <T,>(action: () => Promise<T>, done?: (result: T) => void): Promise<void> => {
    setBusy(true);
    setError(null);
    let result: T;
    try {
      result = await action();
    } catch (e) {
      const problem = e as ApiError;
      if (problem.status === 401) onUnauthorized();
      setError(problem);
      setBusy(false);
      return;
    }
    setBusy(false);
    done?.(result);
  };
  return { busy, error, run, clear: () => setError(null) };
}

/** A detail page while its data loads or after it failed: the heading, and what is happening or what to do. */
export function pendingPage(title: string, what: string, loaded: Loaded<unknown>): JSX.Element | null {
  if (loaded.data) return null;
  return (
    <>
      <PageHead title={title} />
      {loaded.error ? <Failure error={loaded.error} what={what} onRetry={loaded.reload} /> : <Loading what={what} />}
    </>
  );
}

/** The API's message for a form field: errors naming the field itself or a part of it (plan.key, subjectKeys[0]). */
export function errorFor(error: ApiError | null, field: string): string | null {
  const found = error?.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`));
  return found ? found.message : null;
}

/** A problem none of the form's fields can show (a conflict of the whole request, a server failure). */
export function unplaced(error: ApiError | null, fields: string[]): ApiError | null {
  if (!error) return null;
  const placed = error.errors.length > 0 && error.errors.every((e) => fields.some((f) => e.field === f || e.field.startsWith(`${f}.`) || e.field.startsWith(`${f}[`)));
  return placed ? null : error;
}

/** Attributes tying a control to its error message. */
export function invalid(id: string, message: string | null, hint?: string) {
  const described = [hint, message ? `${id}-error` : null].filter(Boolean).join(' ');
  return {
    id,
    'aria-invalid': message ? ('true' as const) : undefined,
    'aria-describedby': described || undefined,
  };
}

export function FieldError({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} class="field-error" data-testid={`${id}-error`}>
      {message}
    </p>
  );
}

/** The form's own alert: what failed, and that the marked fields say what to fix. */
export function FormProblem({ error, fields }: { error: ApiError | null; fields: string[] }) {
  if (!error) return null;
  const elsewhere = unplaced(error, fields);
  return (
    <p class="form-problem" role="alert">
      {elsewhere ? `${error.title}: ${error.detail}` : 'Tally refused this change; the field marked below says what to fix.'}
    </p>
  );
}

// After a navigation the new page's heading takes the focus, so a screen reader announces the page. A page
// whose code is still loading has no heading yet: its heading takes the focus when it appears.
let headingWanted = false;

function focusHeading(): void {
  const heading = document.getElementById('page-title');
  if (!heading) return;
  heading.focus({ preventScroll: true });
  headingWanted = false;
}

export function focusPageHeading(): void {
  headingWanted = true;
  requestAnimationFrame(focusHeading);
}

export function PageHead({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Tally finance`;
  }, [title]);
  useEffect(() => {
    if (headingWanted) focusHeading();
  }, []);
  return (
    <div class="page-head">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </div>
  );
}

/** A page's one creating action beside its heading (New plan, New customer). */
export function PageAction({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <p>
      <Link href={href} class="button">
        {children}
      </Link>
    </p>
  );
}

/** Instants as finance reads them: UTC, to the minute, unambiguous. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function utcDay(iso: string | null | undefined): string {
  return iso ? new Date(iso).toISOString().slice(0, 10) : '';
}

export function money(amount: string | number, currency: string): string {
  return formatMoney(Number(amount), currency);
}

/** A decimal with two places and thousands separators, for amounts whose currency the answer does not name. */
export function amount(value: unknown): string {
  return new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(Number(value));
}

export function customerName(customers: FullCustomer[] | null, id: string | null | undefined): string {
  if (!id) return '';
  const customer = customers?.find((c) => c.id === id || c.key === id);
  return customer ? customer.name : id;
}

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span class={`badge badge-${status.replace(/[^a-z_]/g, '')}`}>{label ?? status.replace(/_/g, ' ')}</span>;
}
