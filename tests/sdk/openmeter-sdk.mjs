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

const sortRows = (rows) => rows.map((r) => ({ value: r.value, start: r.windowStart.toISOString(), end: r.windowEnd.toISOString(), subject: r.subject, groupBy: r.groupBy }))
  .sort((a, b) => (a.start + JSON.stringify(a.groupBy)).localeCompare(b.start + JSON.stringify(b.groupBy)));
console.log(JSON.stringify({
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
