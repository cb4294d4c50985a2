// A customer's entitlements as the dashboard shows them: each metered feature's usage against what
// its grants give, the grants with their expiry, and the balance thresholds notification rules watch.
import type { UsageApi } from './api';

export interface Grant {
  id: string;
  amount: number;
  priority: number;
  effectiveAt: string;
  expiresAt: string | null;
  voidedAt: string | null;
}

export interface EntitlementValue {
  hasAccess: boolean;
  balance: number | null;
  usage: number | null;
  overage: number | null;
  totalAvailableGrantAmount: number | null;
  grantBalances?: Record<string, number> | null;
}

export interface Threshold {
  value: number;
  type: string;
}

export interface EntitlementView {
  featureKey: string;
  type: string;
  currentUsagePeriod: { from: string; to: string } | null;
  value: EntitlementValue | null;
  grants: Grant[];
  thresholds: Threshold[];
}

interface Entitlement {
  id: string;
  type: string;
  featureKey: string;
  featureId: string;
  currentUsagePeriod: { from: string; to: string } | null;
}

interface Rule {
  disabled: boolean;
  thresholds: Threshold[];
  features: { id: string; key: string }[] | null;
}

const part = encodeURIComponent;

/** The order usage burns grants in (Tally's GrantBurnDown.Order): lowest priority number, soonest expiry, earliest effect, id. */
export function burnDownOrder(a: Grant, b: Grant): number {
  const expiry = (g: Grant) => (g.expiresAt ? Date.parse(g.expiresAt) : Number.POSITIVE_INFINITY);
  return a.priority - b.priority || expiry(a) - expiry(b) || Date.parse(a.effectiveAt) - Date.parse(b.effectiveAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export async function loadEntitlements(api: UsageApi, customerId: string): Promise<EntitlementView[]> {
  const base = `/api/v2/customers/${part(customerId)}/entitlements`;
  const [entitlements, rules] = await Promise.all([
    api.get<{ items: Entitlement[] }>(`${base}?pageSize=1000`).then((page) => page.items),
    api.get<{ items: Rule[] }>('/api/v1/notification/rules?pageSize=1000').then((page) => page.items, () => [] as Rule[]),
  ]);
  return Promise.all(
    entitlements.map(async (entitlement) => {
      const metered = entitlement.type === 'metered';
      const [value, grants] = await Promise.all([
        api.get<EntitlementValue>(`${base}/${part(entitlement.featureKey)}/value`).catch(() => null),
        metered ? api.get<{ items: Grant[] }>(`${base}/${part(entitlement.featureKey)}/grants?pageSize=1000`).then((page) => page.items) : Promise.resolve([]),
      ]);
      const thresholds = rules
        .filter((rule) => !rule.disabled && (!rule.features || rule.features.some((f) => f.key === entitlement.featureKey || f.id === entitlement.featureId)))
        .flatMap((rule) => rule.thresholds);
      return { featureKey: entitlement.featureKey, type: entitlement.type, currentUsagePeriod: entitlement.currentUsagePeriod, value, grants: [...grants].sort(burnDownOrder), thresholds };
    }),
  );
}

/** Where a threshold sits on a bar of usage from 0 to the amount granted (0-1), or null when it cannot be placed. */
export function thresholdPosition(threshold: Threshold, granted: number): number | null {
  if (granted <= 0) return threshold.type === 'usage_percentage' || threshold.type === 'PERCENT' ? threshold.value / 100 : null;
  switch (threshold.type) {
    case 'usage_percentage':
    case 'PERCENT':
      return threshold.value / 100;
    case 'balance_value':
      return (granted - threshold.value) / granted;
    default:
      return threshold.value / granted;
  }
}

export function describeThreshold(threshold: Threshold, format: (n: number) => string): string {
  switch (threshold.type) {
    case 'usage_percentage':
    case 'PERCENT':
      return `${format(threshold.value)}% used`;
    case 'balance_value':
      return `balance down to ${format(threshold.value)}`;
    default:
      return `${format(threshold.value)} used`;
  }
}
