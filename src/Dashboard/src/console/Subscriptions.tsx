import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { Empty, Loading } from '../components/States';
import { navigate } from '../router';
import { describePrice } from './Plans';
import type { FullCustomer, Plan, SubscriptionExpanded } from './financeApi';
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
  const zone = customers?.find((c) => c.id === subscription.customerId)?.timezone ?? 'UTC';
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
          <dt>Billing anchor</dt>
          <dd data-testid="billing-anchor">
            {utc(subscription.billingAnchor)}: periods turn on its day of the month and time of day in {zone}
          </dd>
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
  const [anchor, setAnchor] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    void run(
      () => finance.changeSubscription(subscription.id, { plan: { key: planKey }, timing: timing === 'at' ? at : timing, billingAnchor: anchor.trim() || undefined }),
      (changed) => {
        reloadCustomers();
        onChanged(changed.next.id);
      },
    );
  };
  const planError = errorFor(error, 'plan');
  const timingError = errorFor(error, 'timing');
  const anchorError = errorFor(error, 'billingAnchor');

  return (
    <section class="card" aria-labelledby="change-title">
      <h2 id="change-title">Change plan</h2>
      <form class="form-grid" onSubmit={submit} noValidate>
        <FormProblem error={error} fields={['plan', 'timing', 'billingAnchor']} />
        <PlanField id="change-plan" label="New plan" published={published} value={planKey} onChange={setPlanKey} error={planError} />
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
        <AnchorField id="change-anchor" value={anchor} onInput={setAnchor} error={anchorError} hint="Leave empty to keep this subscription's anchor." />
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

/** A choice of published plans, one option per key (its active version). */
function PlanField({ id, label, published, value, onChange, error }: { id: string; label: string; published: Plan[]; value: string; onChange: (key: string) => void; error: string | null }) {
  const keys = Array.from(new Set(published.map((p) => p.key)));
  return (
    <p>
      <label for={id}>{label}</label>
      <select {...invalid(id, error)} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {keys.map((key) => {
          const plan = published.find((p) => p.key === key)!;
          return (
            <option value={key} key={key}>
              {plan.name} ({key} v{plan.version}, {plan.currency})
            </option>
          );
        })}
      </select>
      <FieldError id={id} message={error} />
    </p>
  );
}

/** The optional billing anchor of a subscription: an RFC 3339 instant, whose day and time in the customer's zone the periods turn on. */
function AnchorField({ id, value, onInput, error, hint }: { id: string; value: string; onInput: (value: string) => void; error: string | null; hint: string }) {
  return (
    <p>
      <label for={id}>Billing anchor (RFC 3339, optional)</label>
      <input {...invalid(id, error, `${id}-help`)} value={value} placeholder="2026-06-20T00:00:00Z" onInput={(e) => onInput(e.currentTarget.value)} />
      <span id={`${id}-help`} class="muted small">
        Periods turn on its day of the month and time of day in the customer's time zone. {hint}
      </span>
      <FieldError id={id} message={error} />
    </p>
  );
}

/** Subscribes a customer to a published plan (POST /api/v1/subscriptions), from now or a given instant, on an optional anchor. */
export function NewSubscription({ customer, onSubscribed }: { customer: FullCustomer; onSubscribed: () => void }) {
  const { finance, reloadCustomers } = useConsole();
  const plans = useLoad(() => finance.plans(), `plans-for-${customer.id}`);
  const published = (plans.data ?? []).filter((p) => p.status === 'active');
  const keys = Array.from(new Set(published.map((p) => p.key)));
  const [planKey, setPlanKey] = useState('');
  const [timing, setTiming] = useState('immediate');
  const [at, setAt] = useState('');
  const [anchor, setAnchor] = useState('');
  const { busy, error, run } = useAction();
  const [done, setDone] = useState('');
  const chosen = planKey || keys[0] || '';

  const submit = (event: Event) => {
    event.preventDefault();
    setDone('');
    void run(
      () => finance.createSubscription({ customerId: customer.id, plan: { key: chosen }, timing: timing === 'at' ? at : timing, billingAnchor: anchor.trim() || undefined }),
      (created) => {
        setDone(`Subscribed to ${created.plan.key} v${created.plan.version}, anchored ${utc(created.billingAnchor)}.`);
        setAnchor('');
        reloadCustomers();
        onSubscribed();
      },
    );
  };
  const planError = errorFor(error, 'plan');
  const timingError = errorFor(error, 'timing');
  const anchorError = errorFor(error, 'billingAnchor');

  return (
    <section class="card" aria-labelledby="subscribe-title">
      <h2 id="subscribe-title">Subscribe</h2>
      {plans.data && keys.length === 0 ? (
        <p class="muted">No plan is published yet; publish one on the Plans page first.</p>
      ) : (
        <form class="form-grid" onSubmit={submit} noValidate>
          <FormProblem error={error} fields={['plan', 'timing', 'billingAnchor', 'customerId']} />
          <PlanField id="subscribe-plan" label="Plan" published={published} value={chosen} onChange={setPlanKey} error={planError} />
          <p>
            <label for="subscribe-timing">Starts</label>
            <select {...invalid('subscribe-timing', timingError)} value={timing} onChange={(e) => setTiming(e.currentTarget.value)}>
              <option value="immediate">Now</option>
              <option value="at">At a date and time (UTC)…</option>
            </select>
            <FieldError id="subscribe-timing" message={timing === 'at' ? null : timingError} />
          </p>
          {timing === 'at' && (
            <p>
              <label for="subscribe-at">Start (UTC, RFC 3339)</label>
              <input {...invalid('subscribe-at', timingError)} value={at} placeholder="2026-07-01T00:00:00Z" onInput={(e) => setAt(e.currentTarget.value)} />
              <FieldError id="subscribe-at" message={timingError} />
            </p>
          )}
          <AnchorField id="subscribe-anchor" value={anchor} onInput={setAnchor} error={anchorError} hint="Leave empty for the calendar month." />
          <p class="form-actions">
            <button type="submit" class="button" disabled={busy || !chosen}>
              {busy ? 'Subscribing…' : 'Subscribe'}
            </button>
          </p>
          {done && (
            <p class="notice" role="status">
              {done}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
