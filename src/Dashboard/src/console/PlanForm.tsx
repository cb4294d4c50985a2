import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import type { Feature } from './financeApi';
import { describedGroup, GroupError, PlanProblem, TextField } from './PlanFields';
import { cardPath, type CardDraft, idOf, newCard, newPhase, type PhaseDraft, type PlacedErrors, placeErrors, planBody, planSpots, type PlanDraft } from './planDraft';
import { RateCardFields } from './RateCardFields';
import { FieldError, invalid } from './shared';

interface Props {
  initial: PlanDraft;
  /** A new plan (key and currency are asked) rather than a draft version being edited. */
  create: boolean;
  features: Feature[];
  busy: boolean;
  error: ApiError | null;
  /** `action` is the value of the button that submitted the form; `dirty` whether the draft differs from `initial`. */
  onSubmit: (draft: PlanDraft, action: string, dirty: boolean) => void;
  /** The form's submit buttons, given whether anything changed. */
  actions: (dirty: boolean) => ComponentChildren;
}

/**
 * A plan as a form: its name and description, its phases, and each phase's rate cards with their
 * prices. It sends what was typed; the API's messages appear next to the inputs their paths name.
 */
export function PlanForm({ initial, create, features, busy, error, onSubmit, actions }: Props) {
  const [draft, setDraft] = useState(initial);
  const focusNext = useRef<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const errors = useMemo(() => placeErrors(error, planSpots(draft)), [error, draft]);
  const dirty = useMemo(() => JSON.stringify(planBody(draft, create)) !== JSON.stringify(planBody(initial, create)), [draft, initial, create]);

  // Focus follows what the keyboard user did: onto a rate card just added, back to the button after a removal.
  useEffect(() => {
    if (focusNext.current) document.getElementById(focusNext.current)?.focus();
    focusNext.current = null;
  });
  // After a refusal, the first field the API named takes the focus (the alert above says how many).
  useEffect(() => {
    if (error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  const focus = (id: string) => {
    focusNext.current = id;
  };

  const set = (change: Partial<PlanDraft>) => setDraft((d) => ({ ...d, ...change }));
  const setPhase = (id: number, change: (phase: PhaseDraft) => PhaseDraft) => setDraft((d) => ({ ...d, phases: d.phases.map((p) => (p.id === id ? change(p) : p)) }));
  const setCard = (phaseId: number, cardId: number, change: (card: CardDraft) => CardDraft) =>
    setPhase(phaseId, (p) => ({ ...p, cards: p.cards.map((c) => (c.id === cardId ? change(c) : c)) }));

  const submit = (event: Event) => {
    event.preventDefault();
    onSubmit(draft, ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'save', dirty);
  };

  return (
    <form class="plan-form" ref={form} onSubmit={submit} noValidate aria-describedby="plan-form-help">
      <div class="card">
        <PlanProblem error={error} errors={errors} />
        <p id="plan-form-help" class="muted small">
          Amounts are decimals in the plan's currency; Tally checks every value when you save and marks what it refuses.
        </p>
        <div class="form-grid">
          {create && (
            <>
              <TextField path="key" label="Plan key" hint="Lowercase letters, digits and _; every version shares it." errors={errors} value={draft.key} onInput={(key) => set({ key })} />
              <TextField path="currency" label="Currency" hint="ISO 4217, such as USD; fixed once created." errors={errors} value={draft.currency} onInput={(currency) => set({ currency: currency.toUpperCase() })} />
            </>
          )}
          <TextField path="name" label="Plan name" errors={errors} value={draft.name} onInput={(name) => set({ name })} />
          <p class="wide">
            <label for={idOf('description')}>Description</label>
            <textarea {...invalid(idOf('description'), errors.at('description'))} rows={2} value={draft.description} onInput={(e) => set({ description: e.currentTarget.value })} />
            <FieldError id={idOf('description')} message={errors.at('description')} />
          </p>
          <p class="checkbox">
            <input id={idOf('proRatingConfig')} type="checkbox" checked={draft.proRating} onChange={(e) => set({ proRating: e.currentTarget.checked })} />
            <label for={idOf('proRatingConfig')}>Prorate flat fees of a partial month</label>
          </p>
          <GroupError path="proRatingConfig" errors={errors} />
          <GroupError path="billingCadence" errors={errors} />
        </div>
      </div>
      <GroupError path="phases" errors={errors} />
      {draft.phases.map((phase, p) => (
        <PhaseFields
          key={phase.id}
          phase={phase}
          index={p}
          last={p === draft.phases.length - 1}
          only={draft.phases.length === 1}
          currency={draft.currency}
          features={features}
          errors={errors}
          update={(change) => setPhase(phase.id, change)}
          updateCard={(cardId, change) => setCard(phase.id, cardId, change)}
          onRemove={() => {
            setDraft((d) => ({ ...d, phases: d.phases.filter((x) => x.id !== phase.id) }));
            focus('plan-add-phase');
          }}
          focus={focus}
        />
      ))}
      <p>
        <button
          type="button"
          id="plan-add-phase"
          class="button secondary small"
          onClick={() => {
            setDraft((d) => ({ ...d, phases: [...d.phases, newPhase(d.phases.length)] }));
            focus(idOf(`phases[${draft.phases.length}].key`));
          }}
        >
          Add phase
        </button>
      </p>
      <p class="form-actions">
        {actions(dirty)}
        {busy && (
          <span role="status" class="muted">
            Saving…
          </span>
        )}
      </p>
    </form>
  );
}

interface PhaseProps {
  phase: PhaseDraft;
  index: number;
  last: boolean;
  only: boolean;
  currency: string;
  features: Feature[];
  errors: PlacedErrors;
  update: (change: (phase: PhaseDraft) => PhaseDraft) => void;
  updateCard: (cardId: number, change: (card: CardDraft) => CardDraft) => void;
  onRemove: () => void;
  focus: (id: string) => void;
}

function PhaseFields({ phase, index, last, only, currency, features, errors, update, updateCard, onRemove, focus }: PhaseProps) {
  const at = `phases[${index}]`;
  const add = (type: CardDraft['type']) => {
    update((p) => ({ ...p, cards: [...p.cards, newCard(type)] }));
    focus(idOf(`${cardPath(index, phase.cards.length)}.featureKey`));
  };
  return (
    <fieldset class="card phase" {...describedGroup(at, errors)}>
      <legend>
        Phase {index + 1}
        {phase.name ? `: ${phase.name}` : ''}
      </legend>
      <GroupError path={at} errors={errors} />
      <div class="form-grid">
        <TextField path={`${at}.key`} label="Phase key" errors={errors} value={phase.key} onInput={(key) => update((p) => ({ ...p, key }))} />
        <TextField path={`${at}.name`} label="Phase name" errors={errors} value={phase.name} onInput={(name) => update((p) => ({ ...p, name }))} />
        {last ? (
          <p class="muted small phase-end">{only ? 'The plan has one phase: its prices apply for as long as a subscription runs.' : 'The last phase runs until the subscription ends.'}</p>
        ) : (
          <TextField
            path={`${at}.duration`}
            label="Lasts"
            hint="ISO 8601 duration, such as P1M or P3M."
            errors={errors}
            value={phase.duration}
            onInput={(duration) => update((p) => ({ ...p, duration }))}
          />
        )}
      </div>
      <GroupError path={`${at}.rateCards`} errors={errors} />
      {phase.cards.length === 0 && <p class="muted">No rate cards yet: add a flat fee, a usage-based price, or both.</p>}
      {phase.cards.map((card, c) => (
        <RateCardFields
          key={card.id}
          card={card}
          path={cardPath(index, c)}
          index={c}
          currency={currency}
          features={features}
          errors={errors}
          update={(change) => updateCard(card.id, change)}
          onRemove={() => {
            update((p) => ({ ...p, cards: p.cards.filter((x) => x.id !== card.id) }));
            focus(idOf(`${at}.add-flat`));
          }}
          focus={focus}
        />
      ))}
      <p class="form-actions">
        <button type="button" id={idOf(`${at}.add-flat`)} class="button secondary small" onClick={() => add('flat_fee')}>
          Add flat fee
        </button>
        <button type="button" class="button secondary small" onClick={() => add('usage_based')}>
          Add usage-based price
        </button>
        {!only && (
          <button type="button" class="button secondary small" onClick={onRemove}>
            Remove phase {index + 1}
          </button>
        )}
      </p>
    </fieldset>
  );
}
