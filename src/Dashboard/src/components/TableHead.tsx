/** A column of a table's head: its label, right-aligned for numbers, or read only by screen readers. */
export type Column = string | { label: string; number?: boolean; hidden?: boolean };

export function TableHead({ columns }: { columns: Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => {
          const { label, number, hidden } = typeof column === 'string' ? { label: column, number: false, hidden: false } : column;
          return (
            <th scope="col" class={number ? 'number' : undefined} key={label}>
              {hidden ? <span class="visually-hidden">{label}</span> : label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
