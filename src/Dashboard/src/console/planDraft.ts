// A plan as the console's form edits it: every amount kept as typed (the API checks it, the console
// does not), and every input tied to the path the API names in a problem's errors, such as
// phases[0].rateCards[1].price.tiers[0].upToAmount.
import type { ApiError, FieldError } from '../api';
import type { Plan, Price, RateCard } from './financeApi';

/** The price models the form offers: OpenMeter's flat, unit, tiered (graduated or volume) and package, or none. */
export type PriceKind = 'flat' | 'unit' | 'graduated' | 'volume' | 'package' | 'free';

export interface TierDraft {
  id: number;
  upTo: string;
  unit: string;
  flat: string;
}

export interface CardDraft {
  id: number;
  type: 'flat_fee' | 'usage_based';
  key: string;
  name: string;
  featureKey: string;
  /** A flat fee charged once (billingCadence null) rather than every month. */
  once: boolean;
  price: PriceKind;
  amount: string;
  paymentTerm: 'in_advance' | 'in_arrears';
  perPackage: string;
  tiers: TierDraft[];
  minimum: string;
  maximum: string;
  /** What the form does not edit (description, metadata, discounts, entitlement template), sent back unchanged. */
  kept: Record<string, unknown>;
}

export interface PhaseDraft {
  id: number;
  key: string;
  name: string;
  duration: string;
  cards: CardDraft[];
  kept: Record<string, unknown>;
}

export interface PlanDraft {
  key: string;
  name: string;
  currency: string;
  description: string;
  proRating: boolean;
  phases: PhaseDraft[];
  kept: Record<string, unknown>;
}

let lastId = 0;
/** A key for a list item that stays put while items before it are added or removed. */
export const nextId = (): number => ++lastId;

export const priceKinds: Record<PriceKind, string> = {
  flat: 'Flat amount',
  unit: 'Per unit',
  graduated: 'Tiered, graduated',
  volume: 'Tiered, volume',
  package: 'Per package',
  free: 'No price (free)',
};

export function newTier(): TierDraft {
  return { id: nextId(), upTo: '', unit: '', flat: '' };
}

export function newCard(type: CardDraft['type']): CardDraft {
  return {
    id: nextId(),
    type,
    key: '',
    name: '',
    featureKey: '',
    once: false,
    price: type === 'flat_fee' ? 'flat' : 'unit',
    amount: '',
    paymentTerm: 'in_advance',
    perPackage: '',
    tiers: [newTier(), newTier()],
    minimum: '',
    maximum: '',
    kept: {},
  };
}

export function newPhase(index: number): PhaseDraft {
  return index === 0
    ? { id: nextId(), key: 'default', name: 'Default', duration: '', cards: [], kept: {} }
    : { id: nextId(), key: '', name: '', duration: '', cards: [], kept: {} };
}

export function newPlan(): PlanDraft {
  return { key: '', name: '', currency: 'USD', description: '', proRating: true, phases: [newPhase(0)], kept: {} };
}

function pick(source: object, names: string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of names) {
    const value = (source as Record<string, unknown>)[name];
    if (value !== undefined && value !== null) kept[name] = value;
  }
  return kept;
}

function kindOf(price: Price | null | undefined): PriceKind {
  if (!price) return 'free';
  if (price.type === 'tiered') return price.mode === 'volume' ? 'volume' : 'graduated';
  return price.type as PriceKind;
}

function cardDraft(card: RateCard): CardDraft {
  const price = card.price ?? null;
  const tiers = (price?.tiers ?? []).map((t) => ({ id: nextId(), upTo: t.upToAmount ?? '', unit: t.unitPrice?.amount ?? '', flat: t.flatPrice?.amount ?? '' }));
  return {
    id: nextId(),
    type: card.type === 'flat_fee' ? 'flat_fee' : 'usage_based',
    key: card.key,
    name: card.name,
    featureKey: card.featureKey ?? '',
    once: card.type === 'flat_fee' && !card.billingCadence,
    price: kindOf(price),
    amount: price?.amount ?? '',
    paymentTerm: price?.paymentTerm === 'in_arrears' ? 'in_arrears' : 'in_advance',
    perPackage: price?.quantityPerPackage ?? '',
    tiers: tiers.length > 0 ? tiers : [newTier(), newTier()],
    minimum: price?.minimumAmount ?? '',
    maximum: price?.maximumAmount ?? '',
    kept: pick(card, ['description', 'metadata', 'discounts', 'entitlementTemplate']),
  };
}

/** A stored version as the form shows it. */
export function draftOf(plan: Plan): PlanDraft {
  return {
    key: plan.key,
    name: plan.name,
    currency: plan.currency,
    description: plan.description ?? '',
    proRating: plan.proRatingConfig?.enabled ?? true,
    phases: plan.phases.map((phase) => ({
      id: nextId(),
      key: phase.key,
      name: phase.name,
      duration: phase.duration ?? '',
      cards: phase.rateCards.map(cardDraft),
      kept: pick(phase, ['description', 'metadata']),
    })),
    kept: pick(plan, ['metadata']),
  };
}

/** The fields of an object whose text is not empty: an empty input is left out, and the API says it is required. */
function typed(fields: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (value.trim() !== '') result[name] = value.trim();
  return result;
}

function priceBody(card: CardDraft): unknown {
  const commitments = typed({ minimumAmount: card.minimum, maximumAmount: card.maximum });
  switch (card.price) {
    case 'free':
      return null;
    case 'flat':
      return { type: 'flat', ...typed({ amount: card.amount }), paymentTerm: card.paymentTerm };
    case 'unit':
      return { type: 'unit', ...typed({ amount: card.amount }), ...commitments };
    case 'package':
      return { type: 'package', ...typed({ amount: card.amount, quantityPerPackage: card.perPackage }), ...commitments };
    default:
      return {
        type: 'tiered',
        mode: card.price,
        tiers: card.tiers.map((tier) => {
          const amounts = typed({ unit: tier.unit, flat: tier.flat });
          return {
            ...typed({ upToAmount: tier.upTo }),
            ...(amounts.unit ? { unitPrice: { type: 'unit', amount: amounts.unit } } : {}),
            ...(amounts.flat ? { flatPrice: { type: 'flat', amount: amounts.flat } } : {}),
          };
        }),
        ...commitments,
      };
  }
}

/** OpenMeter's PlanCreate (with key and currency) or PlanReplaceUpdate body for the draft. */
export function planBody(draft: PlanDraft, create: boolean): Record<string, unknown> {
  const last = draft.phases.length - 1;
  return {
    ...(create ? { key: draft.key.trim(), currency: draft.currency.trim() } : {}),
    ...draft.kept,
    name: draft.name,
    ...(draft.description.trim() ? { description: draft.description.trim() } : {}),
    billingCadence: 'P1M',
    proRatingConfig: { enabled: draft.proRating, mode: 'prorate_prices' },
    phases: draft.phases.map((phase, index) => ({
      ...phase.kept,
      key: phase.key.trim(),
      name: phase.name,
      // The last phase never ends; the form asks a duration of the others only.
      duration: index === last ? null : phase.duration.trim() || null,
      rateCards: phase.cards.map((card) => ({
        ...card.kept,
        type: card.type,
        key: card.key.trim(),
        name: card.name,
        ...(card.featureKey ? { featureKey: card.featureKey } : {}),
        billingCadence: card.type === 'flat_fee' && card.once ? null : 'P1M',
        price: priceBody(card),
      })),
    })),
  };
}

export const cardPath = (phase: number, card: number): string => `phases[${phase}].rateCards[${card}]`;

/** Every place the form can show a message: its inputs and the groups around them (a phase, a rate card, a tier). */
export function planSpots(draft: PlanDraft): string[] {
  const spots = ['key', 'currency', 'name', 'description', 'billingCadence', 'proRatingConfig', 'phases'];
  draft.phases.forEach((phase, p) => {
    const at = `phases[${p}]`;
    spots.push(at, `${at}.key`, `${at}.name`, `${at}.duration`, `${at}.rateCards`);
    phase.cards.forEach((card, c) => {
      const base = cardPath(p, c);
      const price = `${base}.price`;
      spots.push(base, `${base}.type`, `${base}.key`, `${base}.name`, `${base}.featureKey`, `${base}.billingCadence`, price, `${price}.type`, `${price}.mode`);
      spots.push(`${price}.amount`, `${price}.paymentTerm`, `${price}.quantityPerPackage`, `${price}.minimumAmount`, `${price}.maximumAmount`, `${price}.tiers`);
      card.tiers.forEach((_, t) => {
        const tier = `${price}.tiers[${t}]`;
        spots.push(tier, `${tier}.upToAmount`, `${tier}.unitPrice.amount`, `${tier}.flatPrice.amount`);
      });
    });
  });
  return spots;
}

function covers(spot: string, field: string): boolean {
  return field === spot || field.startsWith(`${spot}.`) || field.startsWith(`${spot}[`);
}

/** The API's field errors, each at the most precise spot that covers its path; the rest for the form's own alert. */
export interface PlacedErrors {
  at: (spot: string) => string | null;
  unplaced: FieldError[];
}

export function placeErrors(error: ApiError | null, spots: string[]): PlacedErrors {
  const messages = new Map<string, string[]>();
  const unplaced: FieldError[] = [];
  for (const entry of error?.errors ?? []) {
    const spot = spots.filter((s) => covers(s, entry.field)).sort((a, b) => b.length - a.length)[0];
    if (!spot) {
      unplaced.push(entry);
      continue;
    }
    // A message about a part of the spot (a rate card's discounts.percentage) names that part.
    const message = entry.field === spot ? entry.message : `${entry.field.slice(spot.length).replace(/^\./, '')} ${entry.message}`;
    messages.set(spot, [...(messages.get(spot) ?? []), message]);
  }
  return { at: (spot) => messages.get(spot)?.join(' ') ?? null, unplaced };
}

/** An element id for a path: phases[0].rateCards[1].price.amount → plan-phases-0-rateCards-1-price-amount. */
export function idOf(path: string): string {
  return `plan-${path.replace(/\[(\d+)\]/g, '-$1').replace(/\./g, '-')}`;
}
