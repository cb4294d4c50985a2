// The finance console's view of Tally's HTTP API: close runs, invoices and their lineage, the catalog.
// Shapes are the routes' own (OpenMeter's where Tally follows it); amounts are decimal strings.
import type { Customer, UsageApi } from '../api';
import type { Feature, Plan, Price } from './catalog';

export type { Feature, Plan, PlanPhase, Price, RateCard } from './catalog';

export interface Page<T> {
  totalCount: number;
  page: number;
  pageSize: number;
  items: T[];
}

export interface CloseRunProgress {
  total: number;
  waitingForData: number;
  inProgress: number;
  awaitingApproval: number;
  parked: number;
  done: number;
}

export interface CloseRun {
  id: string;
  period: string;
  kind: 'close' | 'rerun';
  dryRun: boolean;
  customerId: string | null;
  status: 'running' | 'needs_attention' | 'completed';
  requestedBy: string;
  createdAt: string;
  progress: CloseRunProgress;
}

export interface CloseTask {
  customerId: string;
  step: string;
  state: string;
  attempts: number;
  nextAttemptAt: string;
  invoiceId: string | null;
  error: string | null;
}

export interface CloseHistoryEntry {
  customerId: string | null;
  at: string;
  step: string;
  outcome: string;
  attempt: number;
  detail: unknown;
  worker: string;
}

export interface StartCloseRun {
  period: string;
  customerId?: string;
  dryRun: boolean;
  kind: 'close' | 'rerun';
}

export interface InvoiceLine {
  id: string;
  name: string;
  description?: string | null;
  quantity: string;
  featureKey?: string | null;
  /** The rate card the line was rated with (OpenMeter's price in full); none on adjustment lines. */
  rateCard?: { featureKey?: string | null; price: Price | null } | null;
  totals: { total: string };
}

export interface Invoice {
  id: string;
  type: string;
  number: string | null;
  currency: string;
  status: 'gathering' | 'draft' | 'issued' | 'voided';
  statusDetails: { extendedStatus: string; availableActions: Record<string, { resultingState: string }> };
  customer: { id: string; key: string | null; name: string | null };
  period: { from: string; to: string };
  totals: { total: string };
  createdAt: string;
  issuedAt: string | null;
  voidedAt: string | null;
  validationIssues: { code: string; severity: string; message: string }[];
  lines?: InvoiceLine[] | null;
  metadata: Record<string, string>;
}

export interface ExplainedLine {
  key: string;
  description: string;
  feature?: string;
  meter?: { slug: string; eventType: string; aggregation: string; valueProperty: string | null };
  quantity?: string;
  unitPrice?: string | null;
  amount: string;
  covers?: string | null;
  frozenUsage?: { quantity: string; cutoff: string }[];
  usageByDayNow?: { from: string; to: string; value: string }[];
  rawEvents?: { count: number; list: string };
}

export interface Explanation {
  invoice: { id: string; number: string | null; status: string; period: string; total: string; currency: string; usageCutoff: string | null };
  customer: { id: string; key: string | null; subjectKeys: string[] };
  planVersion: string | null;
  lines: ExplainedLine[];
  checks: { code: string; severity: string; message: string }[];
  approval: { required: boolean; reviewedBy: string | null; entries: CloseHistoryEntry[] };
  closeRun: CloseRun | null;
  history: CloseHistoryEntry[];
}

export interface ListedEvent {
  event: { id: string; source: string; type: string; subject: string; time: string; data?: unknown };
  customerId?: string;
  validationError?: string;
  ingestedAt: string;
  storedAt: string;
}

export interface Subscription {
  id: string;
  name: string;
  activeFrom: string;
  activeTo: string | null;
  status: string;
  customerId: string;
  plan: { id: string; key: string; version: number };
  currency: string;
  /** When the periods turn: its day of month and time of day in the customer's time zone (the 1st at 00:00 without an anchor). */
  billingAnchor: string;
}

export interface SubscriptionExpanded extends Subscription {
  phases: { key: string; name: string; activeFrom: string; activeTo: string | null; items: { key: string; name: string; featureKey: string | null; price: Price | null }[] }[];
}

export interface FullCustomer extends Customer {
  description?: string | null;
  primaryEmail?: string | null;
  currency: string;
  /** IANA time zone billing periods are cut in (Tally's extension of OpenMeter's customer). */
  timezone: string;
  metadata?: Record<string, string> | null;
  createdAt: string;
  currentSubscriptionId?: string | null;
  subscriptions?: Subscription[] | null;
}

const path = encodeURIComponent;

/** The billing period an invoice closes, as yyyy-MM. */
export function periodOf(invoice: Invoice): string {
  return invoice.metadata?.['tally.period'] || invoice.period.from.slice(0, 7);
}

/** Newest period first, then by customer: a stable order whatever order the ledger returns. */
export function byPeriodAndCustomer(list: Invoice[]): Invoice[] {
  const name = (i: Invoice) => i.customer.name ?? i.customer.key ?? i.customer.id;
  return [...list].sort((a, b) => periodOf(b).localeCompare(periodOf(a)) || name(a).localeCompare(name(b)) || a.createdAt.localeCompare(b.createdAt));
}

/** Every call the console makes, each one route of the API. */
export class FinanceApi {
  constructor(readonly api: UsageApi) {}

  closeRuns(): Promise<CloseRun[]> {
    return this.api.get<Page<CloseRun>>('/api/v1/billing/close-runs').then((page) => page.items);
  }

  startCloseRun(request: StartCloseRun): Promise<CloseRun> {
    return this.api.post<CloseRun>('/api/v1/billing/close-runs', request);
  }

  closeRun(id: string): Promise<CloseRun> {
    return this.api.get<CloseRun>(`/api/v1/billing/close-runs/${path(id)}`);
  }

  closeTasks(id: string): Promise<CloseTask[]> {
    return this.api.get<CloseTask[]>(`/api/v1/billing/close-runs/${path(id)}/tasks`);
  }

  closeHistory(id: string, customerId?: string): Promise<CloseHistoryEntry[]> {
    const query = customerId ? `?customerId=${path(customerId)}` : '';
    return this.api.get<CloseHistoryEntry[]>(`/api/v1/billing/close-runs/${path(id)}/history${query}`);
  }

  retry(runId: string, customerId: string): Promise<CloseTask> {
    return this.api.post<CloseTask>(`/api/v1/billing/close-runs/${path(runId)}/customers/${path(customerId)}/retry`);
  }

  /** Stored invoices (not the live bills), newest period first, all pages of up to 1,000. */
  async invoices(status: string, lines = false): Promise<Invoice[]> {
    const all: Invoice[] = [];
    for (let page = 1; ; page++) {
      const query = new URLSearchParams({ page: String(page), pageSize: '1000' });
      if (status) query.append('statuses', status);
      if (lines) query.append('expand', 'lines');
      const result = await this.api.get<Page<Invoice>>(`/api/v1/billing/invoices?${query}`);
      all.push(...result.items);
      if (all.length >= result.totalCount || result.items.length === 0) return all;
    }
  }

  invoice(id: string): Promise<Invoice> {
    return this.api.get<Invoice>(`/api/v1/billing/invoices/${path(id)}?expand=lines`);
  }

  approve(id: string): Promise<Invoice> {
    return this.api.post<Invoice>(`/api/v1/billing/invoices/${path(id)}/approve`);
  }

  /** Voids an issued invoice, or rejects a draft held for approval. */
  void(id: string, reason: string): Promise<Invoice> {
    return this.api.post<Invoice>(`/api/v1/billing/invoices/${path(id)}/void`, { reason });
  }

  explain(id: string): Promise<Explanation> {
    return this.api.get<Explanation>(`/api/v1/billing/invoices/${path(id)}/explain`);
  }

  /** GET /api/v1/events with the query a lineage link names. */
  events(search: string): Promise<ListedEvent[]> {
    return this.api.get<ListedEvent[]>(`/api/v1/events${search}`);
  }

  plans(): Promise<Plan[]> {
    return this.api.get<Page<Plan>>('/api/v1/plans?pageSize=1000').then((page) => page.items);
  }

  /** Every version of a plan key, oldest first. */
  planVersions(key: string): Promise<Plan[]> {
    return this.api.get<Page<Plan>>(`/api/v1/plans?key=${path(key)}&pageSize=1000`).then((page) => page.items);
  }

  plan(id: string): Promise<Plan> {
    return this.api.get<Plan>(`/api/v1/plans/${path(id)}`);
  }

  createPlan(body: unknown): Promise<Plan> {
    return this.api.post<Plan>('/api/v1/plans', body);
  }

  updatePlan(id: string, body: unknown): Promise<Plan> {
    return this.api.put<Plan>(`/api/v1/plans/${path(id)}`, body);
  }

  /** publish, archive, or next (a new draft version from this one). */
  planAction(id: string, action: 'publish' | 'archive' | 'next'): Promise<Plan> {
    return this.api.post<Plan>(`/api/v1/plans/${path(id)}/${action}`);
  }

  deletePlan(id: string): Promise<void> {
    return this.api.delete(`/api/v1/plans/${path(id)}`);
  }

  features(): Promise<Feature[]> {
    return this.api.get<Page<Feature>>('/api/v1/features?pageSize=1000').then((page) => page.items);
  }

  /** By name, the way finance looks a customer up. */
  customers(): Promise<FullCustomer[]> {
    return this.api.get<Page<FullCustomer>>('/api/v1/customers?pageSize=1000&orderBy=name&expand=subscriptions').then((page) => page.items);
  }

  customer(idOrKey: string): Promise<FullCustomer> {
    return this.api.get<FullCustomer>(`/api/v1/customers/${path(idOrKey)}?expand=subscriptions`);
  }

  createCustomer(body: unknown): Promise<FullCustomer> {
    return this.api.post<FullCustomer>('/api/v1/customers', body);
  }

  createSubscription(body: unknown): Promise<Subscription> {
    return this.api.post<Subscription>('/api/v1/subscriptions', body);
  }

  updateCustomer(id: string, body: unknown): Promise<FullCustomer> {
    return this.api.put<FullCustomer>(`/api/v1/customers/${path(id)}`, body);
  }

  subscription(id: string): Promise<SubscriptionExpanded> {
    return this.api.get<SubscriptionExpanded>(`/api/v1/subscriptions/${path(id)}`);
  }

  changeSubscription(id: string, body: unknown): Promise<{ current: Subscription; next: SubscriptionExpanded }> {
    return this.api.post(`/api/v1/subscriptions/${path(id)}/change`, body);
  }

  cancelSubscription(id: string, timing: string): Promise<Subscription> {
    return this.api.post<Subscription>(`/api/v1/subscriptions/${path(id)}/cancel`, { timing });
  }
}
