// Drives a running Tally through OpenMeter's JS SDK, unchanged, and prints what it saw as JSON.
// Usage: TALLY_URL=http://127.0.0.1:8080 TALLY_KEY=tly_... node openmeter-sdk.mjs
// The caller (tests/Tally.Tests/Sdk/OpenMeterSdkTests.cs) asserts the exact values.
import { performance } from 'node:perf_hooks';
import { OpenMeter } from '@openmeter/sdk';

const om = new OpenMeter({ baseUrl: process.env.TALLY_URL, apiKey: process.env.TALLY_KEY });
const day = new Date('2026-11-02T00:00:00.000Z');
const at = (minutes) => new Date(day.getTime() + minutes * 60_000);

async function until(what, read, done, seconds = 60) {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`${what} never happened; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const tokens = await om.meters.create({
  slug: 'tokens', name: 'Tokens', eventType: 'prompt', aggregation: 'SUM', valueProperty: '$.tokens', groupBy: { model: '$.model' },
});
const prompts = await om.meters.create({ slug: 'prompts', eventType: 'prompt', aggregation: 'COUNT' });
const latest = await om.meters.create({ slug: 'latest', eventType: 'prompt', aggregation: 'LATEST', valueProperty: '$.tokens' });

// Three events, then the first one again in its own request: a retry after a lost acknowledgement.
await om.events.ingest([
  { id: 'evt-1', source: 'sdk-test', type: 'prompt', subject: 'cust-1', time: at(1), data: { tokens: 100, model: 'small' } },
  { id: 'evt-2', source: 'sdk-test', type: 'prompt', subject: 'cust-1', time: at(2), data: { tokens: 250, model: 'large' } },
  { id: 'evt-3', source: 'sdk-test', type: 'prompt', subject: 'cust-2', time: at(61), data: { tokens: 50, model: 'small' } },
]);
await om.events.ingest({ id: 'evt-1', source: 'sdk-test', type: 'prompt', subject: 'cust-1', time: at(1), data: { tokens: 100, model: 'small' } });

const counted = await until('three prompts counted', () => om.meters.query('prompts', {}), (r) => r.data.length === 1 && r.data[0].value >= 3);
const byModel = await om.meters.query('tokens', { from: day, to: at(24 * 60), groupBy: ['model'] });
const hourly = await om.meters.query('tokens', { from: day, to: at(24 * 60), windowSize: 'HOUR', subject: ['cust-1'] });
const posted = await om.meters.queryPost('tokens', { from: day.toISOString(), to: at(24 * 60).toISOString(), filterGroupBy: { model: ['small'] } });
const newest = await om.meters.query('latest', {});
const values = await om.meters.listGroupByValues('tokens', 'model', { from: day, to: at(24 * 60) });
const updated = await om.meters.update('tokens', { name: 'LLM tokens', groupBy: { model: '$.model' } });
const meters = await om.meters.list();
const fetched = await om.meters.get(tokens.id);
const events = await om.events.list({ from: day, limit: 10 });
await om.meters.delete('latest');
let missing;
try {
  await om.meters.get('latest');
} catch (error) {
  missing = { status: error.status, title: error.title };
}


// The catalog, subscriptions, entitlements and grants, as a billing integration would call them.
const apiCalls = await om.features.create({ key: 'api_calls', name: 'API calls', meterSlug: 'prompts' });
await om.features.create({ key: 'sso', name: 'SSO' });
const features = await om.features.list();
const draft = await om.plans.create({
  key: 'pro', name: 'Pro', currency: 'USD', billingCadence: 'P1M', proRatingConfig: { enabled: true, mode: 'prorate_prices' },
  phases: [{ key: 'default', name: 'Default', duration: null, rateCards: [
    { type: 'flat_fee', key: 'base', name: 'Base fee', billingCadence: 'P1M', price: { type: 'flat', amount: '49', paymentTerm: 'in_advance' } },
    { type: 'usage_based', key: 'api_calls', name: 'API calls', featureKey: 'api_calls', billingCadence: 'P1M',
      price: { type: 'tiered', mode: 'graduated', tiers: [
        { upToAmount: '1000', flatPrice: null, unitPrice: { type: 'unit', amount: '0' } },
        { flatPrice: null, unitPrice: { type: 'unit', amount: '0.01' } }] },
      entitlementTemplate: { type: 'metered', issueAfterReset: 1000, isSoftLimit: true },
      discounts: { percentage: { percentage: 10 } } },
    { type: 'flat_fee', key: 'sso', name: 'SSO', featureKey: 'sso', billingCadence: 'P1M', price: null, entitlementTemplate: { type: 'boolean' } }] }],
});
const published = await om.plans.publish(draft.id);
const byKey = await om.plans.get('pro');
const plans = await om.plans.list({ key: ['pro'] });
const customer = await om.customers.create({ key: 'cust-1', name: 'Customer One', usageAttribution: { subjectKeys: ['cust-1'] } });
const fetchedCustomer = await om.customers.get('cust-1');
const subscription = await om.subscriptions.create({ customerKey: 'cust-1', plan: { key: 'pro' } });
const expanded = await om.subscriptions.get(subscription.id);
const customers = await om.customers.list({ key: 'cust' });
const customerSubscriptions = await om.customers.listSubscriptions('cust-1', {});
const access = await om.customers.getAccess('cust-1');
const entitlements = await om.customers.entitlements.list('cust-1');
const grant = await om.customers.entitlements.createGrant('cust-1', 'api_calls', {
  amount: 100, priority: 2, effectiveAt: new Date(Date.now() - 3_600_000), expiration: { duration: 'YEAR', count: 1 },
});
const grants = await om.customers.entitlements.listGrants('cust-1', 'api_calls');
const value = await om.customers.entitlements.value('cust-1', 'api_calls');
const valueV1 = await om.customers.entitlementsV1.value('cust-1', 'api_calls');
const entitlementsV1 = await om.entitlementsV1.list({});
const entitlementsV2 = await om.entitlements.list({});
await om.entitlements.grants.void(grant.id);
const afterVoid = await om.customers.entitlements.value('cust-1', 'api_calls');
const canceled = await om.subscriptions.cancel(subscription.id, { timing: 'next_billing_cycle' });
let conflict;
try {
  await om.subscriptions.create({ customerKey: 'cust-1', plan: { key: 'pro' } });
} catch (error) {
  conflict = { status: error.status, type: error.type };
}

const catalog = {
  features: features.map((f) => [f.key, f.meterSlug ?? null]),
  plan: [draft.status, published.status, byKey.id === draft.id, byKey.version, plans.totalCount, published.phases[0].rateCards.map((c) => c.price?.type ?? null)],
  customer: [customer.key, fetchedCustomer.currentSubscriptionId === undefined, customers.items.map((c) => c.key), customer.createdAt instanceof Date],
  subscription: [subscription.status, subscription.plan.key, subscription.plan.version, expanded.phases[0].items.map((i) => i.key), customerSubscriptions.totalCount],
  access: Object.fromEntries(Object.entries(access.entitlements).map(([k, v]) => [k, v.hasAccess])),
  entitlements: entitlements.items.map((e) => [e.featureKey, e.type]).sort(),
  grants: [grant.amount, grant.priority, grants.totalCount, grant.expiresAt instanceof Date],
  value: [value.hasAccess, value.balance, value.usage, value.overage, Object.keys(value.grantBalances).length],
  valueV1: [valueV1.hasAccess, valueV1.balance, valueV1.grantBalances === undefined],
  lists: [entitlementsV1.length, entitlementsV2.totalCount],
  afterVoid: afterVoid.balance,
  canceled: [canceled.status, canceled.activeTo instanceof Date],
  conflict,
};

const sortRows = (rows) => rows.map((r) => ({ value: r.value, start: r.windowStart.toISOString(), end: r.windowEnd.toISOString(), subject: r.subject, groupBy: r.groupBy }))
  .sort((a, b) => (a.start + JSON.stringify(a.groupBy)).localeCompare(b.start + JSON.stringify(b.groupBy)));
console.log(JSON.stringify({
  catalog,
  created: [tokens.slug, prompts.slug, latest.slug, tokens.aggregation, tokens.createdAt instanceof Date],
  prompts: counted.data[0].value,
  byModel: sortRows(byModel.data),
  hourly: sortRows(hourly.data),
  posted: posted.data.map((r) => r.value),
  latest: newest.data[0].value,
  values,
  updated: [updated.name, fetched.name, fetched.id === tokens.id],
  meters: meters.map((m) => m.slug).sort(),
  events: events.map((e) => [e.event.id, e.event.subject, e.ingestedAt instanceof Date]),
  deleted: missing,
}));
