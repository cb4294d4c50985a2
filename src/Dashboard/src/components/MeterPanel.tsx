import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiError, Charges, Customer, Meter, QueryParams, QueryResult, UsageApi, WindowSize } from '../api';
import { follow, type LiveState } from '../live';
import { toChart } from '../series';
import { formatClock, formatInstant, formatNumber, iso, periodStart, rangeStart, ranges, windowLabels } from '../time';
import { Breakdown } from './Breakdown';
import { Entitlements } from './Entitlements';
import { LiveBill } from './LiveBill';
import { PortalLink } from './PortalLink';
import { Empty, Failure, Loading } from './States';
import { UsageChart } from './UsageChart';

export interface Controls {
  range: string;
  window: WindowSize;
  timeZone: string;
  groupKey: string;
}

interface Props {
  api: UsageApi;
  meter: Meter;
  customer: Customer | null;
  controls: Controls;
  /** A refused credential (an invalidated or expired portal token): the app says so and stops. */
  onUnauthorized: (error: ApiError) => void;
}

interface Totals {
  total: number;
  breakdown: QueryResult | null;
}

let firstPaintMarked = false;

/**
 * One meter: the live chart (a server-sent query stream), period-to-date totals and breakdown, and
 * for a tenant looking at one customer, its live bill. Every update of the stream also refreshes
 * the totals and the bill, so all of it follows new events without a reload.
 */
export function MeterPanel({ api, meter, customer, controls, onUnauthorized }: Props) {
  const [chart, setChart] = useState<QueryResult | null>(null);
  const [chartError, setChartError] = useState<ApiError | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  const [totals, setTotals] = useState<Totals | null>(null);
  const [totalsError, setTotalsError] = useState<ApiError | null>(null);
  const [charges, setCharges] = useState<Charges | null>(null);
  const [chargesError, setChargesError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [tableOpen, setTableOpen] = useState(false);

  const { range, window, timeZone, groupKey } = controls;
  const customerFilter = customer?.id;
  const from = useMemo(() => rangeStart(range, new Date()), [range, meter.slug, customerFilter, attempt]);
  const period = useMemo(() => periodStart(new Date()), [meter.slug, customerFilter, attempt]);

  const chartParams: QueryParams = {
    from: iso(from),
    windowSize: window,
    windowTimeZone: timeZone,
    groupBy: groupKey ? [groupKey] : undefined,
    filterCustomerId: customerFilter,
  };
  const streamPath = api.streamPath(meter.slug, chartParams);

  // Totals, breakdown and bill: fetched now and again after each live update, one fetch at a time.
  // Layout effects: the first queries leave right after the first render, not a frame later.
  const refresh = useRef<() => void>(() => undefined);
  useLayoutEffect(() => {
    let cancelled = false;
    let running = false;
    let again = false;
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      do {
        again = false;
        const base: QueryParams = { from: iso(period), filterCustomerId: customerFilter };
        try {
          const [all, split] = await Promise.all([
            api.query(meter.slug, base),
            groupKey ? api.query(meter.slug, { ...base, groupBy: [groupKey] }) : Promise.resolve(null),
          ]);
          if (!cancelled) {
            setTotals({ total: all.data.reduce((sum, row) => sum + row.value, 0), breakdown: split });
            setTotalsError(null);
          }
        } catch (e) {
          if (!cancelled) setTotalsError(e as ApiError);
        }
        if (customer && !api.isPortal) {
          try {
            const bill = await api.charges(customer.id);
            if (!cancelled) {
              setCharges(bill);
              setChargesError(null);
            }
          } catch (e) {
            if (!cancelled) setChargesError(e as ApiError);
          }
        }
      } while (again && !cancelled);
      running = false;
    };
    setTotals(null);
    setCharges(null);
    setChargesError(null);
    refresh.current = () => void run();
    void run();
    return () => {
      cancelled = true;
    };
  }, [api, meter.slug, customerFilter, groupKey, period]);

  useLayoutEffect(() => {
    setChart(null);
    setChartError(null);
    let first = true;
    return follow<QueryResult>(streamPath, api.credential.secret, {
      onResult: (result) => {
        setChart(result);
        setChartError(null);
        setUpdatedAt(new Date());
        if (!first) refresh.current();
        first = false;
      },
      onProblem: (problem) => (problem.status === 401 ? onUnauthorized(problem) : setChartError(problem)),
      onState: setLive,
    });
  }, [streamPath, api, attempt]);

  const chartData = useMemo(
    () => (chart ? toChart(chart.data, groupKey || null, window, meter.aggregation, from) : null),
    [chart, groupKey, window, meter.aggregation, from],
  );

  // The first time usage is on screen (chart and totals drawn), for the page's performance record.
  useEffect(() => {
    if (firstPaintMarked || !chartData || !totals) return;
    firstPaintMarked = true;
    requestAnimationFrame(() => requestAnimationFrame(() => performance.mark('tally:first-meaningful-paint')));
  }, [chartData, totals]);

  const rangeLabel = ranges.find((r) => r.id === range)?.label.toLowerCase() ?? range;
  const title = `${meter.name} (${meter.aggregation.toLowerCase().replace('_', ' ')}), ${rangeLabel}, per ${windowLabels[window].toLowerCase()}`;
  const subjects = customer?.usageAttribution.subjectKeys ?? [];

  return (
    <section class="meter-panel" aria-labelledby="meter-title">
      <div class="panel-head">
        <div>
          <h2 id="meter-title">{meter.name}</h2>
          {meter.description && <p class="muted">{meter.description}</p>}
        </div>
        <p class={`live live-${live}`} role="status" data-testid="live-status">
          <span class="live-dot" aria-hidden="true" />
          {live === 'live'
            ? `Live · updated ${updatedAt ? formatClock(updatedAt, timeZone) : ''}`
            : live === 'reconnecting'
              ? 'Reconnecting…'
              : live === 'ended'
                ? 'Not live'
                : 'Connecting…'}
        </p>
      </div>

      <div class="cards">
        <div class="card total-card">
          <h3>Period to date</h3>
          <p class="muted small">Since {formatInstant(period, 'UTC', 'DAY')} (UTC), the current billing period</p>
          {totalsError ? (
            <Failure error={totalsError} what="the totals" onRetry={() => setAttempt((n) => n + 1)} />
          ) : totals ? (
            <p class="big-number" data-testid="period-total">
              {formatNumber(totals.total)}
            </p>
          ) : (
            <Loading what="totals" />
          )}
          <p class="muted small">
            {meter.aggregation} of {meter.slug}
            {customer ? ` for ${customer.name}` : api.isPortal ? '' : ', all customers'}
          </p>
        </div>
        {customer && !api.isPortal && (
          <div class="card bill-card">
            <h3>Live bill of {customer.name}</h3>
            <LiveBill charges={charges} error={chargesError} customerName={customer.name} />
            {subjects.length === 1 && <PortalLink api={api} subject={subjects[0]} timeZone={timeZone} />}
          </div>
        )}
      </div>

      {customer && !api.isPortal && (
        <section class="card entitlements-card" aria-labelledby="entitlements-title">
          <h3 id="entitlements-title">Entitlements of {customer.name}</h3>
          <Entitlements api={api} customer={customer} tick={charges} />
        </section>
      )}

      <figure class="card chart-card" aria-labelledby="chart-title">
        <figcaption id="chart-title">
          <h3>{title}</h3>
          <span class="muted small">Times in {timeZone}</span>
        </figcaption>
        {chartError && !chart ? (
          <Failure error={chartError} what="the chart" onRetry={() => setAttempt((n) => n + 1)} />
        ) : !chartData ? (
          <Loading what="usage" />
        ) : chartData.x.length === 0 ? (
          <Empty title={`No usage of ${meter.name} in the ${rangeLabel}.`}>
            {meter.eventType
              ? `Events of type "${meter.eventType}" show up here within seconds of being posted to /api/v1/events; or pick a longer range.`
              : 'New usage shows up here within seconds; or pick a longer range.'}
          </Empty>
        ) : (
          <>
            <UsageChart data={chartData} window={window} timeZone={timeZone} title={title} />
            {chartData.hidden > 0 && <p class="muted small">The {chartData.hidden} smallest groups are not drawn; the breakdown lists them all.</p>}
            {chartError && (
              <p class="error-text" role="alert">
                {chartError.detail}
              </p>
            )}
            <details class="data-table" onToggle={(e) => setTableOpen((e.currentTarget as HTMLDetailsElement).open)}>
              <summary>Show the numbers as a table</summary>
              {tableOpen && (
              <table>
                <caption class="visually-hidden">{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">Window starting</th>
                    {chartData.series.map((s) => (
                      <th scope="col" class="number" key={s.label}>
                        {s.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {chartData.x.map((t, i) => (
                    <tr key={t}>
                      <th scope="row">{formatInstant(new Date(t * 1000), timeZone, window)}</th>
                      {chartData.series.map((s) => (
                        <td class="number" key={s.label}>
                          {s.values[i] == null ? '–' : formatNumber(s.values[i] as number)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
              )}
            </details>
          </>
        )}
      </figure>

      {groupKey && (
        <section class="card" aria-labelledby="breakdown-title">
          <h3 id="breakdown-title">Period to date by {groupKey === 'subject' ? 'subject' : groupKey}</h3>
          {totals?.breakdown ? (
            totals.breakdown.data.length > 0 ? (
              <Breakdown rows={totals.breakdown.data} groupKey={groupKey} aggregation={meter.aggregation} />
            ) : (
              <Empty title="No usage this period yet." />
            )
          ) : totalsError ? null : (
            <Loading what="the breakdown" />
          )}
        </section>
      )}
    </section>
  );
}
