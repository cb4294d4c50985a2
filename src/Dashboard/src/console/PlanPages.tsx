import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { Link } from '../components/Link';
import { navigate } from '../router';
import type { Feature, Plan } from './financeApi';
import { PlanForm } from './PlanForm';
import { draftOf, newPlan, planBody, type PlanDraft } from './planDraft';
import { inForce, PlanTerms, setFlash, takeFlash } from './Plans';
import { FormProblem, PageHead, pendingPage, StatusBadge, useAction, useConsole, useLoad, utc } from './shared';

const planPage = (plan: Plan) => `/console/plans/${encodeURIComponent(plan.id)}`;

/** /console/plans/new: a plan created as a draft, version 1 of its key, to publish once it is right. */
export function NewPlan() {
  const { finance } = useConsole();
  const features = useLoad(() => finance.features(), 'features');
  const initial = useMemo(newPlan, []);
  const { busy, error, run } = useAction();

  const pending = pendingPage('New plan', 'the features', features);
  if (pending || !features.data) return pending;
  const create = (draft: PlanDraft) =>
    run(
      () => finance.createPlan(planBody(draft, true)),
      (plan) => {
        setFlash(`Created ${plan.name} v${plan.version} as a draft: publish it to offer it to customers.`);
        navigate(planPage(plan));
      },
    );
  return (
    <>
      <PageHead title="New plan">
        <p class="muted small">
          <Link href="/console/plans">All plans</Link> · saved as a draft, which changes freely until it is published.
        </p>
      </PageHead>
      {features.data.length === 0 && (
        <p class="attention">No features yet. A usage-based price measures a feature's meter: create one with POST /api/v1/features. Flat fees need none.</p>
      )}
      <PlanForm
        initial={initial}
        create
        features={features.data}
        busy={busy}
        error={error}
        onSubmit={create}
        actions={() => (
          <button type="submit" class="button" value="create" disabled={busy}>
            Create draft
          </button>
        )}
      />
    </>
  );
}

interface Loaded {
  plan: Plan;
  versions: Plan[];
  features: Feature[];
}

/** /console/plans/{id}: one version. A draft is edited and published; a published version drafts the next or is archived. */
export function PlanVersion({ planId }: { planId: string }) {
  const { finance } = useConsole();
  const loaded = useLoad<Loaded>(async () => {
    const plan = await finance.plan(planId);
    const [versions, features] = await Promise.all([finance.planVersions(plan.key), plan.status === 'draft' ? finance.features() : Promise.resolve([])]);
    return { plan, versions, features };
  }, planId);
  const [notice, setNotice] = useState(takeFlash);

  const pending = pendingPage('Plan', 'the plan', loaded);
  if (pending || !loaded.data) return pending;
  const { plan, versions, features } = loaded.data;
  const done = (message: string) => {
    setNotice(message);
    loaded.reload();
  };

  return (
    <>
      <PageHead title={`${plan.name} v${plan.version}`}>
        <p class="muted small">
          <Link href="/console/plans">All plans</Link> · key <code>{plan.key}</code> · {plan.currency} · <StatusBadge status={plan.status} /> · in force{' '}
          <span data-testid="plan-in-force">{inForce(plan)}</span>
        </p>
      </PageHead>
      {notice && (
        <p class="notice" role="status" data-testid="plan-notice">
          {notice}
        </p>
      )}
      <nav class="versions" aria-label={`Versions of ${plan.key}`}>
        <ul>
          {[...versions].reverse().map((v) => (
            <li key={v.id}>
              <Link href={planPage(v)} aria-current={v.id === plan.id ? 'page' : undefined}>
                v{v.version} <StatusBadge status={v.status} />
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {plan.status === 'draft' ? (
        <DraftEditor key={plan.updatedAt} plan={plan} features={features} onDone={done} />
      ) : (
        <Published plan={plan} versions={versions} onDone={done} />
      )}
    </>
  );
}

function DraftEditor({ plan, features, onDone }: { plan: Plan; features: Feature[]; onDone: (message: string) => void }) {
  const { finance } = useConsole();
  const initial = useMemo(() => draftOf(plan), [plan]);
  const { busy, error, run } = useAction();
  const [deleting, setDeleting] = useState(false);

  // Publishing a changed draft saves it first: what is published is what the form shows.
  const submit = (draft: PlanDraft, action: string, dirty: boolean) =>
    run(
      async () => {
        if (dirty || action === 'save') await finance.updatePlan(plan.id, planBody(draft, false));
        return action === 'publish' ? finance.planAction(plan.id, 'publish') : null;
      },
      (published) =>
        onDone(published ? `Published ${published.name} v${published.version}: new subscriptions get it from ${utc(published.effectiveFrom)}.` : `Saved draft v${plan.version}.`),
    );
  const remove = () =>
    run(
      () => finance.deletePlan(plan.id),
      () => {
        setFlash(`Deleted the draft ${plan.key} v${plan.version}.`);
        navigate('/console/plans');
      },
    );

  return (
    <>
      <PlanForm
        initial={initial}
        create={false}
        features={features}
        busy={busy}
        error={deleting ? null : error}
        onSubmit={submit}
        actions={(dirty) => (
          <>
            {/* First, so that Enter in a field saves (or does nothing while unchanged) rather than publishes. */}
            <button type="submit" class="button secondary" value="save" disabled={busy || !dirty}>
              Save draft
            </button>
            <button type="submit" class="button" value="publish" disabled={busy}>
              {dirty ? 'Save and publish' : 'Publish'}
            </button>
            <button type="button" class="button secondary" disabled={busy} onClick={() => setDeleting(true)}>
              Delete draft…
            </button>
          </>
        )}
      />
      {deleting && (
        <Confirm
          question={`Delete the draft ${plan.key} v${plan.version}? Nothing uses a draft; published versions stay as they are.`}
          confirm={`Delete v${plan.version}`}
          busy={busy}
          error={error}
          onConfirm={remove}
          onCancel={() => setDeleting(false)}
        />
      )}
    </>
  );
}

function Published({ plan, versions, onDone }: { plan: Plan; versions: Plan[]; onDone: (message: string) => void }) {
  const { finance } = useConsole();
  const { busy, error, run } = useAction();
  const [archiving, setArchiving] = useState(false);
  const draft = versions.find((v) => v.status === 'draft');

  const next = () =>
    run(
      () => finance.planAction(plan.id, 'next'),
      (created) => {
        setFlash(`Drafted v${created.version} from v${plan.version}: change it, then publish it. Subscriptions stay on the version they have.`);
        navigate(planPage(created));
      },
    );
  const archive = () =>
    run(
      () => finance.planAction(plan.id, 'archive'),
      (archived) => {
        setArchiving(false);
        onDone(`Archived ${archived.key} v${archived.version}: no new subscription starts on it; those on it keep it.`);
      },
    );

  return (
    <>
      <section class="card" aria-labelledby="terms-title">
        <h2 id="terms-title">Phases and rate cards</h2>
        <p class="muted small">A published version never changes, so every subscription on it keeps its prices. Draft the next version to change them.</p>
        <PlanTerms plan={plan} />
      </section>
      <section class="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Change</h2>
        {!archiving && <FormProblem error={error} fields={[]} />}
        <p class="form-actions">
          {draft ? (
            <Link href={planPage(draft)} class="button">
              Edit the draft, v{draft.version}
            </Link>
          ) : (
            <button type="button" class="button" disabled={busy} onClick={next}>
              New version
            </button>
          )}
          {plan.status === 'active' && !archiving && (
            <button type="button" class="button secondary" disabled={busy} onClick={() => setArchiving(true)}>
              Archive…
            </button>
          )}
        </p>
        {archiving && (
          <Confirm
            question={`Archive ${plan.key} v${plan.version}? No new subscription can start on it; subscriptions on it keep it until they change plan.`}
            confirm={`Archive v${plan.version}`}
            busy={busy}
            error={error}
            onConfirm={archive}
            onCancel={() => setArchiving(false)}
          />
        )}
      </section>
    </>
  );
}

/** An irreversible step asked once more, the safe answer at hand; the question takes the focus. */
function Confirm({ question, confirm, busy, error, onConfirm, onCancel }: { question: string; confirm: string; busy: boolean; error: ApiError | null; onConfirm: () => void; onCancel: () => void }) {
  const asked = useRef<HTMLParagraphElement>(null);
  useEffect(() => asked.current?.focus(), []);
  return (
    <div class="attention confirm">
      <FormProblem error={error} fields={[]} />
      <p ref={asked} tabIndex={-1}>
        {question}
      </p>
      <p class="form-actions">
        <button type="button" class="button danger" disabled={busy} onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" class="button secondary" onClick={onCancel}>
          Keep it
        </button>
      </p>
    </div>
  );
}
