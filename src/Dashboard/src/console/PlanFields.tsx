import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api';
import { idOf, type PlacedErrors } from './planDraft';
import { FieldError, invalid } from './shared';

interface FieldProps {
  /** The API's path of the value, which also names the element (idOf). */
  path: string;
  label: string;
  errors: PlacedErrors;
  hint?: string;
  class?: string;
}

/** A labelled text input with its hint and, after a refusal, the API's message for its path. */
export function TextField({ path, label, errors, hint, value, onInput, placeholder, numeric, class: cls }: FieldProps & { value: string; onInput: (value: string) => void; placeholder?: string; numeric?: boolean }) {
  const id = idOf(path);
  const message = errors.at(path);
  return (
    <p class={cls}>
      <label for={id}>{label}</label>
      <input
        {...invalid(id, message, hint ? `${id}-help` : undefined)}
        value={value}
        placeholder={placeholder}
        inputMode={numeric ? 'decimal' : undefined}
        autoComplete="off"
        spellcheck={false}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      <Below id={id} hint={hint} message={message} />
    </p>
  );
}

/** A labelled select; `also` names further paths whose messages belong to it (a tiered price's mode). */
export function SelectField({ path, label, errors, hint, value, onChange, children, also = [], class: cls }: FieldProps & { value: string; onChange: (value: string) => void; children: ComponentChildren; also?: string[] }) {
  const id = idOf(path);
  const message = [path, ...also].map((p) => errors.at(p)).filter(Boolean).join(' ') || null;
  return (
    <p class={cls}>
      <label for={id}>{label}</label>
      <select {...invalid(id, message, hint ? `${id}-help` : undefined)} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {children}
      </select>
      <Below id={id} hint={hint} message={message} />
    </p>
  );
}

/** What stands under a control: its hint, then the API's message for it. */
function Below({ id, hint, message }: { id: string; hint?: string; message: string | null }) {
  return (
    <>
      {hint && (
        <span id={`${id}-help`} class="muted small">
          {hint}
        </span>
      )}
      <FieldError id={id} message={message} />
    </>
  );
}

/** The message for a group (a phase, a rate card, a tier) rather than one of its inputs. */
export function GroupError({ path, errors }: { path: string; errors: PlacedErrors }) {
  return <FieldError id={idOf(path)} message={errors.at(path)} />;
}

/** Attributes tying a fieldset to its group message, so a screen reader reads it with the group. */
export function describedGroup(path: string, errors: PlacedErrors) {
  return errors.at(path) ? { 'aria-describedby': `${idOf(path)}-error` } : {};
}

/** The form's alert: what to fix where, or what no field can show (a conflict, a plan that is not a draft). */
export function PlanProblem({ error, errors }: { error: ApiError | null; errors: PlacedErrors }) {
  if (!error) return null;
  const placed = error.errors.length - errors.unplaced.length;
  return (
    <div class="form-problem wide" role="alert">
      {errors.unplaced.length > 0 || error.errors.length === 0 ? (
        <>
          <p>{error.title}:</p>
          <ul>
            {(errors.unplaced.length > 0 ? errors.unplaced.map((e) => `${e.field}: ${e.message}`) : [error.detail]).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          {placed > 0 && <p>The fields marked below say what else to fix.</p>}
        </>
      ) : (
        <p>Tally refused this plan; {placed === 1 ? 'the field marked below says' : `the ${placed} fields marked below say`} what to fix.</p>
      )}
    </div>
  );
}
