/** Groups conversations by how recently they changed, as chat apps do: Today, Yesterday, Previous 7 days, Older. */

/** One group of the sidebar. */
export interface RecencyGroup<T> {
  label: 'Today' | 'Yesterday' | 'Previous 7 days' | 'Older';
  items: T[];
}

/**
 * Splits `items` (newest first) into recency groups by `updated_at` (ms since the epoch), counting days
 * by the local calendar from `now`; empty groups are left out and the order within a group is kept.
 */
export function groupByRecency<T extends { updated_at: number }>(items: T[], now: Date): RecencyGroup<T>[] {
  const day = (offset: number) =>
    new Date(now.getFullYear(), now.getMonth(), now.getDate() - offset).getTime();
  const bounds: [RecencyGroup<T>['label'], number][] = [
    ['Today', day(0)],
    ['Yesterday', day(1)],
    ['Previous 7 days', day(7)],
    ['Older', -Infinity],
  ];
  const groups: RecencyGroup<T>[] = bounds.map(([label]) => ({ label, items: [] }));
  for (const item of items) {
    const i = bounds.findIndex(([, start]) => item.updated_at >= start);
    groups[i].items.push(item);
  }
  return groups.filter((g) => g.items.length > 0);
}
