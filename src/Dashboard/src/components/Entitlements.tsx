import { useEffect, useState } from 'preact/hooks';
import type { ApiError, Customer, UsageApi } from '../api';
import { describeThreshold, type EntitlementView, loadEntitlements, thresholdPosition } from '../entitlements';
import { formatInstant, formatNumber } from '../time';
import { Empty, Failure } from './States';
import { TableHead } from './TableHead';

interface Props {
  api: UsageApi;
  customer: Customer;
  /** Changes whenever the page's live data moved on; the entitlements are read again then. */
  tick: unknown;
}

/** One customer's entitlements: usage against what its grants give, with the notification thresholds, and each grant's expiry. */
export function Entitlements({ api, customer, tick }: Props) {
  const [list, setList] = useState<EntitlementView[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    loadEntitlements(api, customer.id).then(
      (views) => {
        if (cancelled) return;
        setList(views);
        setError(null);
      },
      (e: ApiError) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
  }, [api, customer.id, tick, attempt]);

  if (error && !list) return <Failure error={error} what="the entitlements" onRetry={() => setAttempt((n) => n + 1)} />;
  if (!list) return <p class="muted">Loading the entitlements…</p>;
  if (list.length === 0) {
    return (
      <Empty title={`${customer.name} has no entitlements.`}>
        Grant access to a feature with POST /api/v2/customers/{customer.key}/entitlements, or give the plan's rate cards an entitlement.
      </Empty>
    );
  }
  return (
    <div data-testid="entitlements">
      {list.map((view) => (
        <Entitlement key={view.featureKey} view={view} />
      ))}
    </div>
  );
}

function Entitlement({ view }: { view: EntitlementView }) {
  const value = view.value;
  if (view.type !== 'metered') {
    return (
      <section class="entitlement" aria-label={`Entitlement to ${view.featureKey}`}>
        <h4>{view.featureKey}</h4>
        <p>{value?.hasAccess ? 'Has access.' : 'No access.'}</p>
      </section>
    );
  }
  const granted = value?.totalAvailableGrantAmount ?? 0;
  const used = value?.usage ?? 0;
  const share = granted > 0 ? Math.min(1, used / granted) : used > 0 ? 1 : 0;
  const markers = view.thresholds
    .map((t) => ({ threshold: t, at: thresholdPosition(t, granted) }))
    .filter((m): m is { threshold: typeof m.threshold; at: number } => m.at !== null && m.at >= 0 && m.at <= 1)
    .sort((a, b) => a.at - b.at);
  const period = view.currentUsagePeriod;
  const summary =
    granted > 0
      ? `${formatNumber(used)} of ${formatNumber(granted)} used (${formatNumber(Math.round(share * 1000) / 10)}%)`
      : `${formatNumber(used)} used, nothing granted`;

  return (
    <section class="entitlement" aria-label={`Entitlement to ${view.featureKey}`} data-feature={view.featureKey}>
      <h4>
        {view.featureKey} <span class={value?.hasAccess ? 'access yes' : 'access no'}>{value?.hasAccess ? 'has access' : 'no access'}</span>
      </h4>
      <p class="entitlement-summary" data-testid={`entitlement-${view.featureKey}`}>
        {summary} · balance {formatNumber(value?.balance ?? 0)}
        {value?.overage ? ` · overage ${formatNumber(value.overage)}` : ''}
      </p>
      <div class={`usage-bar${used > granted ? ' over' : ''}`} aria-hidden="true">
        <span class="usage-fill" style={{ width: `${share * 100}%` }} />
        {markers.map((m, i) => (
          <span key={i} class="usage-marker" style={{ left: `${m.at * 100}%` }} title={describeThreshold(m.threshold, formatNumber)} />
        ))}
      </div>
      {markers.length > 0 && (
        <p class="muted small" data-testid={`thresholds-${view.featureKey}`}>
          Notifies at {markers.map((m) => describeThreshold(m.threshold, formatNumber)).join(', ')}
        </p>
      )}
      {period && (
        <p class="muted small">
          Usage period {formatInstant(period.from, 'UTC', 'DAY')} to {formatInstant(period.to, 'UTC', 'DAY')} (UTC)
        </p>
      )}
      {view.grants.length > 0 ? (
        <table class="grants" data-testid={`grants-${view.featureKey}`}>
          <caption class="visually-hidden">Grants of {view.featureKey}</caption>
          <TableHead columns={[{ label: 'Granted', number: true }, { label: 'Left', number: true }, 'Effective', 'Expires']} />
          <tbody>
            {view.grants.map((grant) => (
              <tr key={grant.id}>
                <td class="number">{formatNumber(grant.amount)}</td>
                <td class="number">{value?.grantBalances?.[grant.id] === undefined ? '' : formatNumber(value.grantBalances[grant.id])}</td>
                <td>{formatInstant(grant.effectiveAt, 'UTC', 'DAY')}</td>
                <td>{grant.expiresAt ? formatInstant(grant.expiresAt, 'UTC', 'DAY') : 'never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted small">No grants: usage is not covered by any allowance.</p>
      )}
    </section>
  );
}
