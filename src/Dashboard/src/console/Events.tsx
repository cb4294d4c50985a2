import { Empty, Failure, Loading } from '../components/States';
import { PageHead, useConsole, useLoad, utc } from './shared';
import { TableHead } from '../components/TableHead';

const described: Record<string, string> = {
  subject: 'subject',
  customerId: 'customer',
  from: 'from',
  to: 'to',
  storedAtFrom: 'stored after',
  storedAtTo: 'stored until',
  ingestedAtFrom: 'ingested after',
  ingestedAtTo: 'ingested until',
  id: 'id',
};

/** The raw events a lineage link names (GET /api/v1/events with that query), newest first. */
export function Events({ search }: { search: string }) {
  const { finance } = useConsole();
  const events = useLoad(() => finance.events(search), search);
  const query = new URLSearchParams(search);
  const filters = Array.from(query.entries()).filter(([name]) => name in described);

  return (
    <>
      <PageHead title="Events" />
      {filters.length > 0 && (
        <p class="muted" data-testid="events-filter">
          {filters.map(([name, value]) => `${described[name]} ${/At|from|to/.test(name) ? utc(value) : value}`).join(' · ')}
        </p>
      )}
      {events.error ? (
        <Failure error={events.error} what="the events" onRetry={events.reload} />
      ) : !events.data ? (
        <Loading what="the events" />
      ) : events.data.length === 0 ? (
        <Empty title="No events match.">Events posted to /api/v1/events appear here once stored; widen the time range if you expected some.</Empty>
      ) : (
        <div class="table-wrap card">
          <table data-testid="events">
            <caption class="visually-hidden">Events, newest first (at most 100)</caption>
            <TableHead columns={['Time', 'ID', 'Subject', 'Type', 'Data', 'Stored']} />
            <tbody>
              {events.data.map((listed) => (
                <tr key={`${listed.event.source}|${listed.event.id}`}>
                  <td>{utc(listed.event.time)}</td>
                  <th scope="row">
                    <code>{listed.event.id}</code>
                  </th>
                  <td>{listed.event.subject}</td>
                  <td>{listed.event.type}</td>
                  <td class="detail">
                    <code>{listed.event.data === undefined ? '' : JSON.stringify(listed.event.data)}</code>
                    {listed.validationError && <span class="field-error">{listed.validationError}</span>}
                  </td>
                  <td>{utc(listed.storedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {events.data.length === 100 && <p class="muted small">The newest 100 are shown; narrow the time range to see older ones.</p>}
        </div>
      )}
    </>
  );
}
