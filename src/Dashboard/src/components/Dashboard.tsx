import { useLayoutEffect, useMemo, useState } from 'preact/hooks';
import type { ApiError, Customer, Meter, UsageApi, WindowSize } from '../api';
import { browserTimeZone, ranges, timeZones, windowLabels } from '../time';
import { Link } from './Link';
import { MeterPanel, type Controls } from './MeterPanel';
import { Empty, Failure, Loading } from './States';

interface Props {
  api: UsageApi;
  /** The portal token's subject (embedded view), or null for a tenant. */
  subject: string | null;
  onSignOut?: () => void;
  onUnauthorized: (error: ApiError) => void;
}

/** The usage dashboard: meters on the left, the chosen meter's live usage on the right. */
export function Dashboard({ api, subject, onSignOut, onUnauthorized }: Props) {
  const [meters, setMeters] = useState<Meter[] | null>(null);
  const [metersError, setMetersError] = useState<ApiError | null>(null);
  const [customers, setCustomers] = useState<Customer[]>([]);
  const [customerId, setCustomerId] = useState('');
  const [slug, setSlug] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [controls, setControls] = useState<Controls>({ range: '24h', window: 'HOUR', timeZone: browserTimeZone(), groupKey: '' });
  // The ~430 zones are listed once the picker is first used: the first paint needs only the current one.
  const [allZones, setAllZones] = useState(false);
  const zones = useMemo(() => (allZones ? timeZones(controls.timeZone) : Array.from(new Set(['UTC', controls.timeZone]))), [allZones, controls.timeZone]);

  // Layout effects start requests right after rendering; plain effects would wait for the next frame.
  useLayoutEffect(() => {
    setMetersError(null);
    api.meters().then(
      (list) => {
        setMeters(list);
        setSlug((current) => current ?? list[0]?.slug ?? null);
      },
      (e: ApiError) => (e.status === 401 ? onUnauthorized(e) : setMetersError(e)),
    );
    if (!api.isPortal) api.customers().then(setCustomers, () => setCustomers([]));
  }, [api, attempt]);

  const meter = meters?.find((m) => m.slug === slug) ?? null;
  const customer = customers.find((c) => c.id === customerId) ?? null;
  const visible = (meters ?? []).filter((m) => !filter || `${m.name} ${m.slug}`.toLowerCase().includes(filter.toLowerCase()));
  const range = ranges.find((r) => r.id === controls.range)!;
  const groupKeys = meter ? [...meter.groupBy, ...(api.isPortal ? [] : ['subject'])] : [];

  const choose = (next: Partial<Controls>) =>
    setControls((current) => {
      const merged = { ...current, ...next };
      const allowed = ranges.find((r) => r.id === merged.range)!;
      if (!allowed.windows.includes(merged.window)) merged.window = allowed.preferred;
      return merged;
    });

  const selectMeter = (next: string) => {
    setSlug(next);
    if (meters?.find((m) => m.slug === next)?.groupBy.includes(controls.groupKey) === false && controls.groupKey !== 'subject') {
      choose({ groupKey: '' });
    }
  };

  const onListKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = Array.from((event.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('button'));
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    next?.focus();
    event.preventDefault();
  };

  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to usage
      </a>
      <header class="topbar">
        <h1 class="brand">
          <span class="brand-mark" aria-hidden="true">
            ▮▮▮
          </span>{' '}
          Tally <span class="brand-sub">usage</span>
        </h1>
        {subject ? (
          <p class="who">
            Usage of <strong data-testid="portal-subject">{subject}</strong>
          </p>
        ) : (
          <div class="who">
            <label for="customer">Customer</label>
            <select id="customer" value={customerId} onChange={(e) => setCustomerId(e.currentTarget.value)}>
              <option value="">All customers</option>
              {customers.map((c) => (
                <option value={c.id} key={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {!subject && (
          <Link href="/console" class="button secondary">
            Finance console
          </Link>
        )}
        {onSignOut && (
          <button type="button" class="button secondary" onClick={onSignOut}>
            Sign out
          </button>
        )}
      </header>

      {metersError ? (
        <main id="main" class="content">
          <Failure error={metersError} what="your meters" onRetry={() => setAttempt((n) => n + 1)} />
        </main>
      ) : !meters ? (
        <main id="main" class="content">
          <Loading what="your meters" />
        </main>
      ) : meters.length === 0 ? (
        <main id="main" class="content">
          <Empty title={api.isPortal ? 'No usage to show yet.' : 'No meters yet.'}>
            {api.isPortal
              ? 'This link does not cover any meter; ask for a new link.'
              : 'Create one with POST /api/v1/meters (the README shows how); it appears here at once.'}
          </Empty>
        </main>
      ) : (
        <div class="layout">
          <nav class="meters" aria-label="Meters">
            <h2 class="nav-title">Meters</h2>
            {meters.length > 8 && (
              <p>
                <label for="meter-filter" class="visually-hidden">
                  Filter meters
                </label>
                <input id="meter-filter" type="search" placeholder="Filter meters" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
              </p>
            )}
            <ul data-testid="meter-list" onKeyDown={onListKey}>
              {visible.map((m) => (
                <li key={m.slug}>
                  <button type="button" aria-current={m.slug === slug ? 'true' : undefined} onClick={() => selectMeter(m.slug)}>
                    <span class="meter-name">{m.name}</span>
                    <span class="meter-agg">{m.aggregation}</span>
                  </button>
                </li>
              ))}
            </ul>
            <p class="meter-select">
              <label for="meter-select">Meter</label>
              <select id="meter-select" value={slug ?? ''} onChange={(e) => selectMeter(e.currentTarget.value)}>
                {meters.map((m) => (
                  <option value={m.slug} key={m.slug}>
                    {m.name}
                  </option>
                ))}
              </select>
            </p>
          </nav>
          <main id="main" class="content" tabIndex={-1}>
            <form class="controls" aria-label="Chart settings" onSubmit={(e) => e.preventDefault()}>
              <p>
                <label for="range">Range</label>
                <select id="range" value={controls.range} onChange={(e) => choose({ range: e.currentTarget.value })}>
                  {ranges.map((r) => (
                    <option value={r.id} key={r.id}>
                      {r.label}
                    </option>
                  ))}
                </select>
              </p>
              <p>
                <label for="window">Window</label>
                <select id="window" value={controls.window} onChange={(e) => choose({ window: e.currentTarget.value as WindowSize })}>
                  {(['MINUTE', 'HOUR', 'DAY', 'MONTH'] as WindowSize[]).map((w) => (
                    <option value={w} key={w} disabled={!range.windows.includes(w)}>
                      {windowLabels[w]}
                    </option>
                  ))}
                </select>
              </p>
              <p>
                <label for="timezone">Time zone</label>
                <select
                  id="timezone"
                  value={controls.timeZone}
                  onFocus={() => setAllZones(true)}
                  onPointerDown={() => setAllZones(true)}
                  onChange={(e) => choose({ timeZone: e.currentTarget.value })}
                >
                  {zones.map((zone) => (
                    <option value={zone} key={zone}>
                      {zone.replaceAll('_', ' ')}
                    </option>
                  ))}
                </select>
              </p>
              <p>
                <label for="group">Split by</label>
                <select id="group" value={controls.groupKey} onChange={(e) => choose({ groupKey: e.currentTarget.value })}>
                  <option value="">Nothing</option>
                  {groupKeys.map((key) => (
                    <option value={key} key={key}>
                      {key}
                    </option>
                  ))}
                </select>
              </p>
            </form>
            {meter ? (
              <MeterPanel key={`${meter.slug}|${customerId}`} api={api} meter={meter} customer={customer} controls={controls} onUnauthorized={onUnauthorized} />
            ) : (
              <Empty title="Choose a meter." />
            )}
          </main>
        </div>
      )}
    </div>
  );
}
