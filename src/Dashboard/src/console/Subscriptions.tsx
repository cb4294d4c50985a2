import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { Empty, Loading } from '../components/States';
import { navigate } from '../router';
import { describePrice } from './Plans';
import type { Plan, SubscriptionExpanded } from './financeApi';
import { customerName, errorFor, FieldError, FormProblem, invalid, PageHead, pendingPage, StatusBadge, useAction, useConsole, useLoad, utc, utcDay } from './shared';
import { TableHead } from '../components/TableHead';

/** Every customer's subscriptions, newest first. */
export function Subscriptions() {
  const { customers } = useConsole();
  const all = (customers ?? [])
    .flatMap((c) => (c.subscriptions ?? []).map((s) => ({ ...s, customerName: c.name })))
    .sort((a, b) => b.activeFrom.localeCompare(a.activeFrom));
  return (
    <>
      <PageHead title="Subscriptions" />
      {!customers ? (
        <Loading what="the subscriptions" />
      ) : all.length === 0 ? (
        <Empty title="No subscriptions yet.">Subscribe a customer to a published plan with POST /api/v1/subscriptions; it is listed here.</Empty>
      ) : (
        <div class="table-wrap card">
          <table data-testid="subscriptions">
            <caption class="visually-hidden">Subscriptions, newest first</caption>
            <TableHead columns={['Customer', 'Plan', 'Status', 'From', 'To']} />
            <tbody>
              {all.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link href={`/console/subscriptions/${encodeURIComponent(s.id)}`}>{s.customerName}</Link>
                  </th>
                  <td>
                    {s.plan.key} v{s.plan.version}
                  </td>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td>{utcDay(s.activeFrom)}</td>
                  <td>{s.activeTo ? utcDay(s.activeTo) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** One subscription: its phases and items, a plan change and a cancellation, each checked by the API. */
export function SubscriptionDetail({ subscriptionId }: { subscriptionId: string }) {
  const { finance, customers } = useConsole();
  const loaded = useLoad(() => Promise.all([finance.subscription(subscriptionId), finance.plans()]), subscriptionId);

  const pending = pendingPage('Subscription', 'the subscription', loaded);
  if (pending || !loaded.data) return pending;
  const [subscription, plans] = loaded.data;
  const who = customerName(customers, subscription.customerId);
  const editable = subscription.status === 'active' || subscription.status === 'canceled';

  return (
    <>
      <PageHead title={`${who} · ${subscription.plan.key} v${subscription.plan.version}`}>
        <p class="muted small">
          <Link href="/console/subscriptions">All subscriptions</Link> · <Link href={`/console/customers/${encodeURIComponent(subscription.customerId)}`}>{who}</Link> ·{' '}
          <code>{subscription.id}</code>
        </p>
      </PageHead>
      <section class="card" aria-labelledby="terms-title">
        <h2 id="terms-title">
          Terms <StatusBadge status={subscription.status} />
        </h2>
        <dl class="facts">
          <dt>In force</dt>
          <dd>
            {utc(subscription.activeFrom)} to {subscription.activeTo ? utc(subscription.activeTo) : 'until cancelled'}
          </dd>
          <dt>Currency</dt>
          <dd>{subscription.currency}</dd>
        </dl>
        {subscription.phases.map((phase) => (
          <div key={phase.key}>
            <h3>
              {phase.name}: {utcDay(phase.activeFrom)} to {phase.activeTo ? utcDay(phase.activeTo) : 'open'}
            </h3>
            <ul class="plain">
              {phase.items.map((item) => (
                <li key={item.key}>
                  <strong>{item.name}</strong>
                  {item.featureKey ? ` (${item.featureKey})` : ''}: {describePrice(item.price, subscription.currency)}
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>
      {editable ? (
        <>
          <ChangePlan subscription={subscription} plans={plans} onChanged={(id) => navigate(`/console/subscriptions/${encodeURIComponent(id)}`)} />
          <Cancel subscription={subscription} onChanged={loaded.reload} />
        </>
      ) : (
        <p class="muted">This subscription is {subscription.status}; only a subscription in force can change plan or be cancelled.</p>
      )}
    </>
  );
}

function ChangePlan({ subscription, plans, onChanged }: { subscription: SubscriptionExpanded; plans: Plan[]; onChanged: (nextId: string) => void }) {
  const { finance, reloadCustomers } = useConsole();
  const published = plans.filter((p) => p.status === 'active');
  const keys = Array.from(new Set(published.map((p) => p.key)));
  const [planKey, setPlanKey] = useState(keys.find((k) => k !== subscription.plan.key) ?? keys[0] ?? '');
  const [timing, setTiming] = useState('next_billing_cycle');
  const [at, setAt] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(
      () => finance.changeSubscription(subscription.id, { plan: { key: planKey }, timing: timing === 'at' ? at : timing }),
      (changed) => {
        reloadCustomers();
        onChanged(changed.next.id);
      },
    );
  };
  const planError = errorFor(error, 'plan');
  const timingError = errorFor(error, 'timing');

  return (
    <section class="card" aria-labelledby="change-title">
      <h2 id="change-title">Change plan</h2>
      <form class="form-grid" onSubmit={submit} noValidate>
        <FormProblem error={error} fields={['plan', 'timing']} />
        <p>
          <label for="change-plan">New plan</label>
          <select {...invalid('change-plan', planError)} value={planKey} onChange={(e) => setPlanKey(e.currentTarget.value)}>
            {keys.map((key) => {
              const plan = published.find((p) => p.key === key)!;
              return (
                <option value={key} key={key}>
                  {plan.name} ({key} v{plan.version}, {plan.currency})
                </option>
              );
            })}
          </select>
          <FieldError id="change-plan" message={planError} />
        </p>
        <p>
          <label for="change-timing">Takes effect</label>
          <select {...invalid('change-timing', timingError)} value={timing} onChange={(e) => setTiming(e.currentTarget.value)}>
            <option value="next_billing_cycle">At the next billing period</option>
            <option value="immediate">Now (flat fees prorated)</option>
            <option value="at">At a date and time (UTC)…</option>
          </select>
          <FieldError id="change-timing" message={timing === 'at' ? null : timingError} />
        </p>
        {timing === 'at' && (
          <p>
            <label for="change-at">Date and time (UTC, RFC 3339)</label>
            <input {...invalid('change-at', timingError)} value={at} placeholder="2026-12-01T00:00:00Z" onInput={(e) => setAt(e.currentTarget.value)} />
            <FieldError id="change-at" message={timingError} />
          </p>
        )}
        <p class="form-actions">
          <button type="submit" class="button" disabled={busy || keys.length === 0}>
            {busy ? 'Changing…' : 'Change plan'}
          </button>
        </p>
      </form>
    </section>
  );
}

function Cancel({ subscription, onChanged }: { subscription: SubscriptionExpanded; onChanged: () => void }) {
  const { finance, reloadCustomers } = useConsole();
  const [timing, setTiming] = useState('next_billing_cycle');
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(
      () => finance.cancelSubscription(subscription.id, timing),
      () => {
        reloadCustomers();
        onChanged();
      },
    );
  };
  const timingError = errorFor(error, 'timing');
  return (
    <section class="card" aria-labelledby="cancel-title">
      <h2 id="cancel-title">Cancel</h2>
      <form class="form-grid" onSubmit={submit} noValidate>
        <FormProblem error={error} fields={['timing']} />
        <p>
          <label for="cancel-timing">Ends</label>
          <select {...invalid('cancel-timing', timingError)} value={timing} onChange={(e) => setTiming(e.currentTarget.value)}>
            <option value="next_billing_cycle">At the end of this billing period</option>
            <option value="immediate">Now</option>
          </select>
          <FieldError id="cancel-timing" message={timingError} />
        </p>
        <p class="form-actions">
          <button type="submit" class="button danger" disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel subscription'}
          </button>
        </p>
      </form>
    </section>
  );
}
