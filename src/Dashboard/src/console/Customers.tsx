import { useState } from 'preact/hooks';
import { Link } from '../components/Link';
import { Empty, Loading } from '../components/States';
import { navigate } from '../router';
import type { FullCustomer } from './financeApi';
import { errorFor, FieldError, FormProblem, invalid, PageAction, PageHead, pendingPage, StatusBadge, useAction, useConsole, useLoad, utc, utcDay } from './shared';
import { NewSubscription } from './Subscriptions';
import { TableHead } from '../components/TableHead';

/** The tenant's customers with their subject keys, currency and current subscription. */
export function Customers() {
  const { customers, reloadCustomers } = useConsole();
  return (
    <>
      <PageHead title="Customers">
        <PageAction href="/console/customers/new">New customer</PageAction>
      </PageHead>
      {!customers ? (
        <Loading what="the customers" />
      ) : customers.length === 0 ? (
        <Empty title="No customers yet.">
          Create one with <strong>New customer</strong> or POST /api/v1/customers (the README's quickstart shows how), then{' '}
          <button type="button" class="link-button" onClick={reloadCustomers}>
            reload the list
          </button>
          .
        </Empty>
      ) : (
        <div class="table-wrap card">
          <table data-testid="customers">
            <caption class="visually-hidden">Customers</caption>
            <TableHead columns={['Name', 'Key', 'Subjects', 'Currency', 'Time zone', 'Subscription']} />
            <tbody>
              {customers.map((customer) => {
                const current = (customer.subscriptions ?? []).find((s) => s.status === 'active' || s.status === 'canceled');
                return (
                  <tr key={customer.id}>
                    <th scope="row">
                      <Link href={`/console/customers/${encodeURIComponent(customer.id)}`}>{customer.name}</Link>
                    </th>
                    <td>
                      <code>{customer.key}</code>
                    </td>
                    <td>{customer.usageAttribution.subjectKeys.join(', ')}</td>
                    <td>{customer.currency ?? ''}</td>
                    <td>{customer.timezone}</td>
                    <td>
                      {current ? (
                        <Link href={`/console/subscriptions/${encodeURIComponent(current.id)}`}>
                          {current.plan.key} v{current.plan.version}
                        </Link>
                      ) : (
                        <span class="muted">none</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const customerFields = ['name', 'primaryEmail', 'currency', 'timezone', 'usageAttribution', 'description', 'key'];

/** A new customer, created through POST /api/v1/customers; then its own page. */
export function NewCustomer() {
  const { reloadCustomers } = useConsole();
  return (
    <CustomerForm
      onSaved={(created) => {
        reloadCustomers();
        navigate(`/console/customers/${encodeURIComponent(created.id)}`);
      }}
    />
  );
}

/** One customer, edited through PUT /api/v1/customers/{id}; the API's own checks speak next to each field. */
export function CustomerDetail({ customerId }: { customerId: string }) {
  const { finance, reloadCustomers } = useConsole();
  const customer = useLoad(() => finance.customer(customerId), customerId);

  const pending = pendingPage('Customer', 'the customer', customer);
  if (pending || !customer.data) return pending;
  const reload = () => {
    reloadCustomers();
    customer.reload();
  };
  return <CustomerForm key={customer.data.id} customer={customer.data} onSaved={reload} onSubscribed={reload} />;
}

function CustomerForm({ customer, onSaved, onSubscribed }: { customer?: FullCustomer; onSaved: (saved: FullCustomer) => void; onSubscribed?: () => void }) {
  const { finance } = useConsole();
  const [key, setKey] = useState(customer?.key ?? '');
  const [name, setName] = useState(customer?.name ?? '');
  const [email, setEmail] = useState(customer?.primaryEmail ?? '');
  const [currency, setCurrency] = useState(customer?.currency ?? '');
  const [timezone, setTimezone] = useState(customer?.timezone ?? 'UTC');
  const [subjects, setSubjects] = useState(customer?.usageAttribution.subjectKeys.join(', ') ?? '');
  const [description, setDescription] = useState(customer?.description ?? '');
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState('');

  const save = (event: Event) => {
    event.preventDefault();
    setSaved('');
    // PUT replaces the customer: send every field the form shows, and keep what it does not (metadata).
    const body = {
      key: customer ? customer.key : key,
      name,
      primaryEmail: email || undefined,
      currency: currency || undefined,
      timezone: timezone || undefined,
      description: description || undefined,
      metadata: customer?.metadata ?? undefined,
      usageAttribution: { subjectKeys: subjects.split(',').map((s) => s.trim()).filter((s) => s.length > 0) },
    };
    void run(
      () => (customer ? finance.updateCustomer(customer.id, body) : finance.createCustomer(body)),
      (result) => {
        setSaved(`Saved ${name}.`);
        onSaved(result);
      },
    );
  };

  const errors = {
    key: errorFor(error, 'key'),
    name: errorFor(error, 'name'),
    email: errorFor(error, 'primaryEmail'),
    currency: errorFor(error, 'currency'),
    timezone: errorFor(error, 'timezone'),
    subjects: errorFor(error, 'usageAttribution'),
    description: errorFor(error, 'description'),
  };
  const subscriptions = customer?.subscriptions ?? [];

  return (
    <>
      <PageHead title={customer ? customer.name : 'New customer'}>
        <p class="muted small">
          <Link href="/console/customers">All customers</Link>
          {customer && (
            <>
              {' '}
              · key <code>{customer.key}</code> · created {utc(customer.createdAt)}
            </>
          )}
        </p>
      </PageHead>
      <section class="card" aria-labelledby="edit-title">
        <h2 id="edit-title">Details</h2>
        <form class="form-grid" onSubmit={save} noValidate>
          <FormProblem error={error} fields={customerFields} />
          {!customer && (
            <p>
              <label for="customer-key">Key</label>
              <input {...invalid('customer-key', errors.key, 'customer-key-help')} value={key} onInput={(e) => setKey(e.currentTarget.value)} />
              <span id="customer-key-help" class="muted small">
                Your own id of the customer, such as acme. It cannot change later.
              </span>
              <FieldError id="customer-key" message={errors.key} />
            </p>
          )}
          <p>
            <label for="customer-name">Name</label>
            <input {...invalid('customer-name', errors.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <FieldError id="customer-name" message={errors.name} />
          </p>
          <p>
            <label for="customer-email">Billing email</label>
            <input type="email" {...invalid('customer-email', errors.email)} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            <FieldError id="customer-email" message={errors.email} />
          </p>
          <p>
            <label for="customer-currency">Currency</label>
            <input {...invalid('customer-currency', errors.currency, 'customer-currency-help')} value={currency} onInput={(e) => setCurrency(e.currentTarget.value)} maxLength={3} />
            <span id="customer-currency-help" class="muted small">
              ISO 4217, such as USD. A customer pays in one currency.
            </span>
            <FieldError id="customer-currency" message={errors.currency} />
          </p>
          <p>
            <label for="customer-timezone">Time zone</label>
            <input {...invalid('customer-timezone', errors.timezone, 'customer-timezone-help')} value={timezone} onInput={(e) => setTimezone(e.currentTarget.value)} />
            <span id="customer-timezone-help" class="muted small">
              IANA, such as Europe/Berlin. Billing periods turn at midnight (or the anchor) there; it cannot change once a subscription has started.
            </span>
            <FieldError id="customer-timezone" message={errors.timezone} />
          </p>
          <p>
            <label for="customer-subjects">Subject keys</label>
            <input {...invalid('customer-subjects', errors.subjects, 'customer-subjects-help')} value={subjects} onInput={(e) => setSubjects(e.currentTarget.value)} />
            <span id="customer-subjects-help" class="muted small">
              The CloudEvent subjects of this customer's usage, separated by commas.
            </span>
            <FieldError id="customer-subjects" message={errors.subjects} />
          </p>
          <p class="wide">
            <label for="customer-description">Description</label>
            <textarea {...invalid('customer-description', errors.description)} rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
            <FieldError id="customer-description" message={errors.description} />
          </p>
          <p class="form-actions">
            <button type="submit" class="button" disabled={busy}>
              {busy ? 'Saving…' : customer ? 'Save customer' : 'Create customer'}
            </button>
          </p>
          {saved && (
            <p class="notice" role="status">
              {saved}
            </p>
          )}
        </form>
      </section>
      {customer && (
        <section class="card" aria-labelledby="subs-title">
          <h2 id="subs-title">Subscriptions</h2>
          {subscriptions.length === 0 ? (
            <Empty title={`${customer.name} has no subscription.`}>Subscribe it to a published plan below.</Empty>
          ) : (
            <ul class="plain">
              {subscriptions.map((s) => (
                <li key={s.id}>
                  <Link href={`/console/subscriptions/${encodeURIComponent(s.id)}`}>
                    {s.plan.key} v{s.plan.version}
                  </Link>{' '}
                  <StatusBadge status={s.status} /> from {utcDay(s.activeFrom)}
                  {s.activeTo ? ` to ${utcDay(s.activeTo)}` : ''}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {customer && <NewSubscription customer={customer} onSubscribed={onSubscribed ?? (() => undefined)} />}
    </>
  );
}
