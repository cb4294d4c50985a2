import type { Row } from '../api';
import { additive, groupOf } from '../series';
import { formatNumber } from '../time';

interface Props {
  rows: Row[];
  groupKey: string;
  aggregation: string;
}

/** Period-to-date usage split by one group, largest first, with each group's share for sums and counts. */
export function Breakdown({ rows, groupKey, aggregation }: Props) {
  const groups = rows
    .map((row) => ({ label: groupOf(row, groupKey), value: row.value }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
  const total = groups.reduce((sum, g) => sum + g.value, 0);
  const shares = additive(aggregation) && total > 0;
  const heading = groupKey === 'subject' ? 'Subject' : groupKey;
  return (
    <table class="breakdown" data-testid="breakdown">
      <caption class="visually-hidden">Period to date by {heading}</caption>
      <thead>
        <tr>
          <th scope="col">{heading}</th>
          <th scope="col" class="number">
            Usage
          </th>
          {shares && (
            <th scope="col" class="share-column">
              Share
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {groups.map((group) => {
          const share = shares ? (group.value / total) * 100 : 0;
          return (
            <tr key={group.label}>
              <th scope="row">{group.label}</th>
              <td class="number">{formatNumber(group.value)}</td>
              {shares && (
                <td class="share-column">
                  <span class="share">
                    <span class="share-bar" style={{ width: `${share}%` }} aria-hidden="true" />
                    <span class="share-text">{share.toFixed(1)}%</span>
                  </span>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
