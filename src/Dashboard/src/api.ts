// Tally's HTTP API as the dashboard uses it. A tenant signs in with an API key; an embedded
// customer view holds a portal token and reads only the /api/v1/portal routes. Either secret
// travels in the Authorization header only, never in a URL.

export type Credential = { kind: 'tenant'; secret: string } | { kind: 'portal'; secret: string };

export type WindowSize = 'MINUTE' | 'HOUR' | 'DAY' | 'MONTH';

export interface Meter {
  slug: string;
  name: string;
  description?: string;
  aggregation: string;
  eventType?: string;
  groupBy: string[];
}

export interface Row {
  value: number;
  windowStart: string;
  windowEnd: string;
  subject: string | null;
  customerId?: string;
  groupBy: Record<string, string>;
}

export interface QueryResult {
  from?: string;
  to?: string;
  windowSize?: WindowSize;
  data: Row[];
}

export interface QueryParams {
  from?: string;
  to?: string;
  windowSize?: WindowSize;
  windowTimeZone?: string;
  groupBy?: string[];
  filterCustomerId?: string;
}

export interface Customer {
  id: string;
  key: string;
  name: string;
  currency: string;
  usageAttribution: { subjectKeys: string[] };
}

/** One line of a gathering invoice (OpenMeter's shape; amounts are decimal strings). */
export interface ChargeLine {
  id: string;
  name: string;
  featureKey?: string;
  quantity: string;
  unitPrice?: string;
  totals: { total: string };
}

/** The live bill: OpenMeter's gathering invoice of the current period, with lines. */
export interface Charges {
  currency: string;
  period: { from: string; to: string };
  lines: ChargeLine[];
  totals: { total: string };
  updatedAt: string;
}

export interface PortalTokenInfo {
  id: string;
  subject: string;
  allowedMeterSlugs: string[];
  expiresAt: string;
  createdAt: string;
  token?: string;
}

/** One entry of a problem's `errors` list: the request field to fix and what is wrong with it. */
export interface FieldError {
  field: string;
  message: string;
}

/** An answer other than 2xx, or no answer at all (status 0), with what to do about it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export function unreachable(): ApiError {
  return new ApiError(0, 'Tally does not answer', `Nothing answers at ${location.origin}. Check that Tally is running (./tally up) and reload.`);
}

export async function problemOf(response: Response): Promise<ApiError> {
  let title = response.statusText || `HTTP ${response.status}`;
  let detail = '';
  let errors: FieldError[] = [];
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      const body = await response.json();
      title = body.title ?? title;
      detail = body.detail ?? '';
      if (Array.isArray(body.errors)) errors = body.errors.filter((e: FieldError) => typeof e?.field === 'string' && typeof e?.message === 'string');
    } catch {
      // A body that is not JSON after all: keep the status line.
    }
  }
  return new ApiError(response.status, title, detail || title, errors);
}

export function queryString(params: QueryParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The routes one credential may read: the tenant's own, or the portal's. */
export class UsageApi {
  constructor(readonly credential: Credential) {}

  get isPortal(): boolean {
    return this.credential.kind === 'portal';
  }

  async meters(): Promise<Meter[]> {
    if (this.isPortal) return this.get<Meter[]>('/api/v1/portal/meters');
    const meters = await this.get<Array<Omit<Meter, 'groupBy'> & { groupBy?: Record<string, string> }>>('/api/v1/meters');
    return meters.map((meter) => ({ ...meter, groupBy: Object.keys(meter.groupBy ?? {}) }));
  }

  query(slug: string, params: QueryParams): Promise<QueryResult> {
    return this.get<QueryResult>(`${this.meterPath(slug)}/query${queryString(params)}`);
  }

  streamPath(slug: string, params: QueryParams): string {
    return `${this.meterPath(slug)}/query/stream${queryString(params)}`;
  }

  /** The tenant's customers (OpenMeter's paginated list; the dashboard asks for one page of the most it allows). */
  customers(): Promise<Customer[]> {
    return this.get<{ items: Customer[] }>('/api/v1/customers?pageSize=1000').then((page) => page.items);
  }

  charges(customerId: string): Promise<Charges> {
    return this.get<Charges>(`/api/v1/customers/${encodeURIComponent(customerId)}/charges`);
  }

  portalToken(): Promise<PortalTokenInfo> {
    return this.get<PortalTokenInfo>('/api/v1/portal/token');
  }

  createPortalToken(subject: string): Promise<PortalTokenInfo> {
    return this.send<PortalTokenInfo>('POST', '/api/v1/portal/tokens', { subject });
  }

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  delete(path: string): Promise<void> {
    return this.send<void>('DELETE', path);
  }

  private meterPath(slug: string): string {
    return `${this.isPortal ? '/api/v1/portal/meters' : '/api/v1/meters'}/${encodeURIComponent(slug)}`;
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        cache: 'no-store',
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${this.credential.secret}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw unreachable();
    }
    if (!response.ok) throw await problemOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}
