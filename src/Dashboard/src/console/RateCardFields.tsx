import type { Feature } from './financeApi';
import { describedGroup, GroupError, SelectField, TextField } from './PlanFields';
import { idOf, newTier, type CardDraft, type PlacedErrors, type PriceKind, priceKinds, type TierDraft } from './planDraft';

interface Props {
  card: CardDraft;
  /** The API's path of the card: phases[0].rateCards[1]. */
  path: string;
  index: number;
  currency: string;
  features: Feature[];
  errors: PlacedErrors;
  update: (change: (card: CardDraft) => CardDraft) => void;
  onRemove: () => void;
  focus: (id: string) => void;
}

const flatFeeKinds: PriceKind[] = ['flat', 'free'];
const usageKinds: PriceKind[] = ['unit', 'graduated', 'volume', 'package', 'free'];

/** One rate card: what it is called, its feature, and its price in the model chosen. */
export function RateCardFields({ card, path, index, currency, features, errors, update, onRemove, focus }: Props) {
  const patch = (change: Partial<CardDraft>) => update((c) => ({ ...c, ...change }));
  const price = `${path}.price`;
  const usage = card.type === 'usage_based';
  const kinds = (usage ? usageKinds : flatFeeKinds).concat((usage ? usageKinds : flatFeeKinds).includes(card.price) ? [] : [card.price]);
  const offered = usage ? features.filter((f) => f.meterSlug || f.key === card.featureKey) : features;
  const legend = `Rate card ${index + 1} · ${usage ? 'usage-based' : 'flat fee'}`;

  // Choosing a feature names the card after it, unless the card was named otherwise (a usage price's key must be the feature's).
  const chooseFeature = (key: string) =>
    update((c) => {
      const before = features.find((f) => f.key === c.featureKey);
      const after = features.find((f) => f.key === key);
      return {
        ...c,
        featureKey: key,
        key: after && (c.key === '' || c.key === before?.key) ? after.key : c.key,
        name: after && (c.name === '' || c.name === before?.name) ? after.name : c.name,
      };
    });

  return (
    <fieldset class="rate-card" {...describedGroup(path, errors)}>
      <legend>{legend}</legend>
      <GroupError path={path} errors={errors} />
      <div class="form-grid">
        <SelectField path={`${path}.featureKey`} label="Feature" errors={errors} value={card.featureKey} onChange={chooseFeature}>
          <option value="">{usage ? 'Choose a metered feature…' : 'None'}</option>
          {offered.map((f) => (
            <option value={f.key} key={f.key}>
              {f.name} ({f.key}{f.meterSlug ? `, meter ${f.meterSlug}` : ''})
            </option>
          ))}
          {card.featureKey && !features.some((f) => f.key === card.featureKey) && <option value={card.featureKey}>{card.featureKey} (archived or deleted)</option>}
        </SelectField>
        <TextField path={`${path}.name`} label="Name" errors={errors} value={card.name} onInput={(name) => patch({ name })} />
        <TextField
          path={`${path}.key`}
          label="Key"
          errors={errors}
          value={card.key}
          hint={usage ? "The feature's key." : 'Lowercase letters, digits and _.'}
          onInput={(key) => patch({ key })}
        />
        <SelectField path={`${price}.type`} also={[`${price}.mode`, price]} label="Price" errors={errors} value={card.price} onChange={(kind) => patch({ price: kind as PriceKind })}>
          {kinds.map((kind) => (
            <option value={kind} key={kind}>
              {priceKinds[kind]}
            </option>
          ))}
        </SelectField>
        {!usage && (
          <SelectField path={`${path}.billingCadence`} label="Billed" errors={errors} value={card.once ? 'once' : 'monthly'} onChange={(v) => patch({ once: v === 'once' })}>
            <option value="monthly">Every month</option>
            <option value="once">Once</option>
          </SelectField>
        )}
        {usage && <GroupError path={`${path}.billingCadence`} errors={errors} />}
        {(card.price === 'flat' || card.price === 'unit' || card.price === 'package') && (
          <TextField
            path={`${price}.amount`}
            label={`${card.price === 'unit' ? 'Amount per unit' : card.price === 'package' ? 'Amount per package' : 'Amount'} (${currency})`}
            errors={errors}
            numeric
            value={card.amount}
            onInput={(amount) => patch({ amount })}
          />
        )}
        {card.price === 'flat' && (
          <SelectField path={`${price}.paymentTerm`} label="Paid" errors={errors} value={card.paymentTerm} onChange={(v) => patch({ paymentTerm: v as CardDraft['paymentTerm'] })}>
            <option value="in_advance">In advance</option>
            <option value="in_arrears">In arrears</option>
          </SelectField>
        )}
        {card.price === 'package' && (
          <TextField path={`${price}.quantityPerPackage`} label="Units per package" errors={errors} numeric value={card.perPackage} onInput={(perPackage) => patch({ perPackage })} />
        )}
      </div>
      {(card.price === 'graduated' || card.price === 'volume') && <Tiers card={card} path={`${price}.tiers`} currency={currency} errors={errors} update={update} focus={focus} />}
      {usage && card.price !== 'free' && (
        <div class="form-grid">
          <TextField path={`${price}.minimumAmount`} label={`Minimum per month (${currency})`} hint="Optional commitment." errors={errors} numeric value={card.minimum} onInput={(minimum) => patch({ minimum })} />
          <TextField path={`${price}.maximumAmount`} label={`Maximum per month (${currency})`} hint="Optional cap." errors={errors} numeric value={card.maximum} onInput={(maximum) => patch({ maximum })} />
        </div>
      )}
      {(card.kept.discounts || card.kept.entitlementTemplate) && (
        <p class="muted small">
          Its {[card.kept.discounts && 'discounts', card.kept.entitlementTemplate && 'entitlement template'].filter(Boolean).join(' and ')} stay as they are (change them
          through the API).
        </p>
      )}
      <p class="form-actions">
        <button type="button" class="button secondary small" onClick={onRemove} aria-label={`Remove rate card ${index + 1}${card.name ? `, ${card.name}` : ''}`}>
          Remove rate card
        </button>
      </p>
    </fieldset>
  );
}

function Tiers({ card, path, currency, errors, update, focus }: { card: CardDraft; path: string; currency: string; errors: PlacedErrors; update: Props['update']; focus: Props['focus'] }) {
  const setTier = (id: number, change: Partial<TierDraft>) => update((c) => ({ ...c, tiers: c.tiers.map((t) => (t.id === id ? { ...t, ...change } : t)) }));
  const add = () => {
    update((c) => ({ ...c, tiers: [...c.tiers, newTier()] }));
    focus(idOf(`${path}[${card.tiers.length}].upToAmount`));
  };
  const remove = (id: number) => {
    update((c) => ({ ...c, tiers: c.tiers.filter((t) => t.id !== id) }));
    focus(idOf(`${path}.add`));
  };
  return (
    <fieldset class="tiers" aria-describedby={[idOf(`${path}.help`), errors.at(path) ? `${idOf(path)}-error` : ''].join(' ').trim()}>
      <legend>Tiers</legend>
      <p class="muted small" id={idOf(`${path}.help`)}>
        {card.price === 'graduated' ? 'Each tier prices the units within it.' : 'The tier the whole usage falls in prices every unit.'} Every tier but the
        last has an upper bound; a tier has a unit price, a flat price or both.
      </p>
      <GroupError path={path} errors={errors} />
      <ol class="plain">
        {card.tiers.map((tier, t) => {
          const at = `${path}[${t}]`;
          return (
            <li key={tier.id}>
              <fieldset class="tier" {...describedGroup(at, errors)}>
                <legend>Tier {t + 1}</legend>
                <GroupError path={at} errors={errors} />
                <div class="tier-row">
                  <TextField
                    path={`${at}.upToAmount`}
                    label="Up to (units)"
                    errors={errors}
                    numeric
                    placeholder={t === card.tiers.length - 1 ? 'no limit' : ''}
                    value={tier.upTo}
                    onInput={(upTo) => setTier(tier.id, { upTo })}
                  />
                  <TextField path={`${at}.unitPrice.amount`} label={`Unit price (${currency})`} errors={errors} numeric value={tier.unit} onInput={(unit) => setTier(tier.id, { unit })} />
                  <TextField path={`${at}.flatPrice.amount`} label={`Flat price (${currency})`} errors={errors} numeric value={tier.flat} onInput={(flat) => setTier(tier.id, { flat })} />
                  <p class="tier-remove">
                    <button type="button" class="button secondary small" onClick={() => remove(tier.id)} aria-label={`Remove tier ${t + 1}`} disabled={card.tiers.length === 1}>
                      Remove
                    </button>
                  </p>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <button type="button" id={idOf(`${path}.add`)} class="button secondary small" onClick={add}>
        Add tier
      </button>
    </fieldset>
  );
}
