import { useEffect, useState } from 'preact/hooks';
import { lazy } from '../components/Lazy';
import { Link } from '../components/Link';
import { Empty, Failure, Loading } from '../components/States';
import type { Plan, Price, RateCard } from './financeApi';
import { PageAction, PageHead, StatusBadge, useConsole, useLoad, utcDay } from './shared';
import { TableHead } from '../components/TableHead';

// Editing plans is a chunk of its own, fetched when the plans page opens: the rest of the console never pays for it.
export const NewPlan = lazy(() => import('./PlanPages').then((module) => module.NewPlan), 'the plan editor');
export const PlanVersion = lazy<{ planId: string }>(() => import('./PlanPages').then((module) => module.PlanVersion), 'the plan editor');

// What the next page says about the change that led to it (a plan created, a version drafted, a draft deleted).
let flash = '';

export function setFlash(message: string): void {
  flash = message;
}

export function takeFlash(): string {
  const message = flash;
  flash = '';
  return message;
}

export function inForce(plan: Plan): string {
  return plan.effectiveFrom ? `${utcDay(plan.effectiveFrom)} to ${plan.effectiveTo ? utcDay(plan.effectiveTo) : 'now'}` : 'not published';
}

/** A price in a line: "unit 0.002", "graduated tiers: up to 1000 at 0, then 0.002". */
export function describePrice(price: Price | null | undefined, currency: string): string {
  if (!price) return 'no price';
  const commitments = [price.minimumAmount && `at least ${price.minimumAmount}`, price.maximumAmount && `at most ${price.maximumAmount}`].filter(Boolean);
  const per = commitments.length > 0 ? ` (${commitments.join(', ')} ${currency} a month)` : '';
  switch (price.type) {
    case 'flat':
      return `flat ${price.amount} ${currency}${price.paymentTerm === 'in_arrears' ? ' in arrears' : ''}`;
    case 'unit':
      return `${price.amount} ${currency} per unit${per}`;
    case 'package':
      return `${price.amount} ${currency} per ${price.quantityPerPackage} units${per}`;
    case 'tiered':
      return `${price.mode} tiers: ${(price.tiers ?? [])
        .map((t) => `${t.upToAmount ? `up to ${t.upToAmount}` : 'beyond'} at ${t.unitPrice?.amount ?? '0'}${t.flatPrice ? ` + ${t.flatPrice.amount} flat` : ''}`)
        .join('; ')}${per}`;
    default:
      return price.type;
  }
}

function describeCard(card: RateCard, currency: string): string {
  return `${card.featureKey ? ` (${card.featureKey})` : ''}: ${describePrice(card.price, currency)}${card.type === 'flat_fee' && !card.billingCadence ? ', once' : ''}`;
}

/** A version's phases and rate cards, one line each. */
export function PlanTerms({ plan }: { plan: Plan }) {
  return (
    <>
      {plan.phases.map((phase) => (
        <div key={phase.key} data-phase={phase.key}>
          {plan.phases.length > 1 && (
            <h3>
              {phase.name}
              {phase.duration ? `, for ${phase.duration}` : ', then on'}
            </h3>
          )}
          <ul class="plain rate-cards">
            {phase.rateCards.map((card) => (
              <li key={card.key}>
                <strong>{card.name}</strong>
                {describeCard(card, plan.currency)}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </>
  );
}

/** Plans by key with every version: its status and dates, and each phase's rate cards; each version opens to edit or change it. */
export function Plans() {
  const { finance } = useConsole();
  const plans = useLoad(() => finance.plans(), 'plans');
  const [notice] = useState(takeFlash);
  useEffect(() => {
    NewPlan.preload();
    PlanVersion.preload();
  }, []);

  const byKey = new Map<string, Plan[]>();
  for (const plan of plans.data ?? []) byKey.set(plan.key, [...(byKey.get(plan.key) ?? []), plan]);

  return (
    <>
      <PageHead title="Plans">
        <PageAction href="/console/plans/new">New plan</PageAction>
      </PageHead>
      {notice && (
        <p class="notice" role="status" data-testid="plans-notice">
          {notice}
        </p>
      )}
      {plans.error ? (
        <Failure error={plans.error} what="the plans" onRetry={plans.reload} />
      ) : !plans.data ? (
        <Loading what="the plans" />
      ) : byKey.size === 0 ? (
        <Empty title="No plans yet.">Create one with New plan: a draft you can change until you publish it.</Empty>
      ) : (
        Array.from(byKey.entries()).map(([key, versions]) => (
          <section class="card" key={key} aria-labelledby={`plan-${key}`} data-plan={key}>
            <h2 id={`plan-${key}`}>
              {versions[versions.length - 1].name} <code class="muted">{key}</code>
            </h2>
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Versions of plan {key}</caption>
                <TableHead columns={['Version', 'Status', 'Currency', 'In force', 'Rate cards']} />
                <tbody>
                  {[...versions].reverse().map((plan) => (
                    <tr key={plan.id}>
                      <th scope="row">
                        <Link href={`/console/plans/${encodeURIComponent(plan.id)}`}>v{plan.version}</Link>
                      </th>
                      <td>
                        <StatusBadge status={plan.status} />
                      </td>
                      <td>{plan.currency}</td>
                      <td>{inForce(plan)}</td>
                      <td>
                        <ul class="plain">
                          {plan.phases.flatMap((phase) =>
                            phase.rateCards.map((card) => (
                              <li key={`${phase.key}|${card.key}`}>
                                {plan.phases.length > 1 ? `${phase.name}: ` : ''}
                                <strong>{card.name}</strong>
                                {describeCard(card, plan.currency)}
                              </li>
                            )),
                          )}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))
      )}
    </>
  );
}
