import { Empty, Failure, Loading } from '../components/States';
import type { Plan, RateCard } from './financeApi';
import { PageHead, StatusBadge, useConsole, useLoad, utcDay } from './shared';
import { TableHead } from '../components/TableHead';

/** A price in a line: "unit 0.002", "graduated tiers: up to 1000 at 0, then 0.002". */
export function describePrice(price: RateCard['price'], currency: string): string {
  if (!price) return 'no price';
  switch (price.type) {
    case 'flat':
      return `flat ${price.amount} ${currency}`;
    case 'unit':
      return `${price.amount} ${currency} per unit`;
    case 'package':
      return `${price.amount} ${currency} per ${price.quantityPerPackage} units`;
    case 'tiered':
      return `${price.mode} tiers: ${(price.tiers ?? [])
        .map((t) => `${t.upToAmount ? `up to ${t.upToAmount}` : 'beyond'} at ${t.unitPrice?.amount ?? '0'}${t.flatPrice ? ` + ${t.flatPrice.amount} flat` : ''}`)
        .join('; ')}`;
    default:
      return price.type;
  }
}

/** Plans by key with every version: its status and dates, and each phase's rate cards. */
export function Plans() {
  const { finance } = useConsole();
  const plans = useLoad(() => finance.plans(), 'plans');

  const byKey = new Map<string, Plan[]>();
  for (const plan of plans.data ?? []) byKey.set(plan.key, [...(byKey.get(plan.key) ?? []), plan]);

  return (
    <>
      <PageHead title="Plans" />
      {plans.error ? (
        <Failure error={plans.error} what="the plans" onRetry={plans.reload} />
      ) : !plans.data ? (
        <Loading what="the plans" />
      ) : byKey.size === 0 ? (
        <Empty title="No plans yet.">Create one with POST /api/v1/plans and publish it (the README's quickstart shows how); it is listed here.</Empty>
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
                      <th scope="row">v{plan.version}</th>
                      <td>
                        <StatusBadge status={plan.status} />
                      </td>
                      <td>{plan.currency}</td>
                      <td>
                        {plan.effectiveFrom ? `${utcDay(plan.effectiveFrom)} to ${plan.effectiveTo ? utcDay(plan.effectiveTo) : 'now'}` : 'not published'}
                      </td>
                      <td>
                        <ul class="plain">
                          {plan.phases.flatMap((phase) =>
                            phase.rateCards.map((card) => (
                              <li key={`${phase.key}|${card.key}`}>
                                {plan.phases.length > 1 ? `${phase.name}: ` : ''}
                                <strong>{card.name}</strong>
                                {card.featureKey ? ` (${card.featureKey})` : ''}: {describePrice(card.price, plan.currency)}
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
